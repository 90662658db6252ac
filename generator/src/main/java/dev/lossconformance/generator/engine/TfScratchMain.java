package dev.lossconformance.generator.engine;

import dev.lossconformance.catalog.Call;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Throwaway check of the new TF APIs (to be deleted). */
public final class TfScratchMain {
  static TensorFlowBackend b;

  static Tensor t(DType d, double[] v, int... shape) {
    return Tensor.ofFloating(d, v, shape);
  }

  static Map<String, Object> p(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  static Map<String, Tensor> in(Object... kv) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], (Tensor) kv[i + 1]);
    }
    return m;
  }

  static String show(Tensor x) {
    StringBuilder sb = new StringBuilder(x.dtype() + Arrays.toString(x.shape()) + " [");
    for (int i = 0; i < x.numel(); i++) {
      if (i > 0) {
        sb.append(", ");
      }
      double v = x.getDouble(i);
      if (x.dtype() == DType.FLOAT32) {
        sb.append(Float.toString((float) v));
      } else {
        sb.append(Double.toString(v));
      }
    }
    return sb.append("]").toString();
  }

  static String bits(Backend.Result r) {
    if (r.outputs() == null) {
      return String.valueOf(r.error()) + "|" + r.unsupported();
    }
    StringBuilder sb = new StringBuilder();
    for (var e : r.outputs().entrySet()) {
      Tensor x = e.getValue();
      sb.append(e.getKey()).append(':');
      for (int i = 0; i < x.numel(); i++) {
        sb.append(x.dtype() == DType.FLOAT32 ? Integer.toHexString(Float.floatToRawIntBits((float) x.getDouble(i)))
            : Long.toHexString(Double.doubleToRawLongBits(x.getDouble(i)))).append(',');
      }
    }
    return sb.toString();
  }

  static void run(String label, String api, Map<String, Object> params, Map<String, Tensor> inputs) {
    Call c = new Call(api, params, inputs, null, null);
    Backend.Result r = b.run(c);
    Backend.Result r2 = b.run(c);
    boolean same = bits(r).equals(bits(r2));
    System.out.println("== " + label + "  [" + api + " " + params + "]  deterministic=" + same);
    if (r.outputs() != null) {
      r.outputs().forEach((k, v) -> System.out.println("   " + k + " = " + show(v)));
    } else if (r.error() != null) {
      System.out.println("   ERROR " + r.error());
    } else {
      System.out.println("   UNSUPPORTED " + r.unsupported());
    }
  }

  public static void main(String[] args) {
    b = new TensorFlowBackend();
    for (DType d : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
      System.out.println("################ " + d);
      run("T-6 KLD 1-D", TfLosses.KLD, p(), in("y_true", t(d, new double[] {.5, .5}, 2), "y_pred", t(d, new double[] {.25, .75}, 2)));
      run("T-6 KLD (1,2)", TfLosses.KLD, p(), in("y_true", t(d, new double[] {.5, .5}, 1, 2), "y_pred", t(d, new double[] {.25, .75}, 1, 2)));
      run("T-7 KLD", TfLosses.KLD, p(), in("y_true", t(d, new double[] {1, 0}, 1, 2), "y_pred", t(d, new double[] {.5, .5}, 1, 2)));
      run("KLD p=0 (clipped), sum", TfLosses.KLD, p("reduction", "sum"), in("y_true", t(d, new double[] {.3, .7, .5, .5}, 2, 2), "y_pred", t(d, new double[] {0, 1, .4, .6}, 2, 2)));
      run("T-8 Poisson", TfLosses.POISSON, p(), in("y_true", t(d, new double[] {1}, 1, 1), "y_pred", t(d, new double[] {0}, 1, 1)));
      run("Poisson (2,3) none", TfLosses.POISSON, p("reduction", "none"), in("y_true", t(d, new double[] {1, 2, 0, 3, 0, 1}, 2, 3), "y_pred", t(d, new double[] {.5, 2, 1, 1.5, 0, 3}, 2, 3)));
      run("Poisson p<-eps NaN", TfLosses.POISSON, p(), in("y_true", t(d, new double[] {1}, 1), "y_pred", t(d, new double[] {-1}, 1)));
      run("T-9 Cosine", TfLosses.COSINE, p("axis", -1L), in("y_true", t(d, new double[] {1, 0}, 1, 2), "y_pred", t(d, new double[] {1, 1}, 1, 2)));
      run("Cosine zero y_pred row", TfLosses.COSINE, p("axis", -1L, "reduction", "none"), in("y_true", t(d, new double[] {1, 0, 1, 2}, 2, 2), "y_pred", t(d, new double[] {0, 0, 3, 1}, 2, 2)));
      run("Cosine axis 0", TfLosses.COSINE, p("axis", 0L, "reduction", "none"), in("y_true", t(d, new double[] {1, 0, 1, 2}, 2, 2), "y_pred", t(d, new double[] {2, 0, 3, 1}, 2, 2)));
      run("Cosine axis 5", TfLosses.COSINE, p("axis", 5L), in("y_true", t(d, new double[] {1, 0}, 1, 2), "y_pred", t(d, new double[] {1, 1}, 1, 2)));
      run("T-10 Hinge y=1", TfLosses.HINGE, p(), in("y_true", t(d, new double[] {1}, 1, 1), "y_pred", t(d, new double[] {.3}, 1, 1)));
      run("T-10 Hinge y=-1", TfLosses.HINGE, p(), in("y_true", t(d, new double[] {-1}, 1, 1), "y_pred", t(d, new double[] {.3}, 1, 1)));
      run("T-23 Hinge y=[0,1] (converted)", TfLosses.HINGE, p("reduction", "none"), in("y_true", t(d, new double[] {0, 1}, 2, 1), "y_pred", t(d, new double[] {.3, .3}, 2, 1)));
      run("T-23 Hinge y=[0,-1] (not converted)", TfLosses.HINGE, p("reduction", "none"), in("y_true", t(d, new double[] {0, -1}, 2, 1), "y_pred", t(d, new double[] {.3, .3}, 2, 1)));
      run("Hinge (2,2) tie 1-y*p=0", TfLosses.HINGE, p(), in("y_true", t(d, new double[] {1, -1, 1, 1}, 2, 2), "y_pred", t(d, new double[] {1, 0.5, 2, -0.25}, 2, 2)));
      run("T-13 MAE 1-D sum", TfLosses.MAE, p("reduction", "sum"), in("y_true", t(d, new double[] {1, 0}, 2), "y_pred", t(d, new double[] {.9, .2}, 2)));
      run("MAE (2,2) sample_weight", TfLosses.MAE, p(), in("y_true", t(d, new double[] {1, 0, 2, 2}, 2, 2), "y_pred", t(d, new double[] {.5, .5, 2, 3}, 2, 2), "sample_weight", t(d, new double[] {2, 1}, 2)));
      run("MAE shape mismatch", TfLosses.MAE, p(), in("y_true", t(d, new double[] {1, 0, 2}, 3), "y_pred", t(d, new double[] {.5, .5}, 2)));
      run("MAE scalar", TfLosses.MAE, p(), in("y_true", t(d, new double[] {1}), "y_pred", t(d, new double[] {.5})));
      run("MAE bad reduction", TfLosses.MAE, p("reduction", "mean"), in("y_true", t(d, new double[] {1}, 1), "y_pred", t(d, new double[] {.5}, 1)));
      run("log_poisson", TfLosses.LOG_POISSON, p(), in("targets", t(d, new double[] {1, 2, 0}, 3), "log_input", t(d, new double[] {0, .5, -1}, 3)));
      run("log_poisson full", TfLosses.LOG_POISSON, p("compute_full_loss", true), in("targets", t(d, new double[] {1, 2, 0.5, 3}, 4), "log_input", t(d, new double[] {0, .5, -1, 1}, 4)));
      run("T-22 log_poisson full y=-1", TfLosses.LOG_POISSON, p("compute_full_loss", true), in("targets", t(d, new double[] {-1}, 1), "log_input", t(d, new double[] {.5}, 1)));
      run("log_poisson shape mismatch", TfLosses.LOG_POISSON, p(), in("targets", t(d, new double[] {1, 2}, 2), "log_input", t(d, new double[] {0, .5, 1}, 3)));
    }
    run("log_poisson dtype mismatch", TfLosses.LOG_POISSON, p(), in("targets", t(DType.FLOAT64, new double[] {1, 2}, 2), "log_input", t(DType.FLOAT32, new double[] {0, .5}, 2)));
    run("Hinge int64 labels {0,1}", TfLosses.HINGE, p(), in("y_true", Tensor.ofLongs(new long[] {0, 1}, 2), "y_pred", t(DType.FLOAT32, new double[] {.3, .3}, 2)));
    run("Hinge empty", TfLosses.HINGE, p(), in("y_true", t(DType.FLOAT32, new double[] {}, 0, 2), "y_pred", t(DType.FLOAT32, new double[] {}, 0, 2)));
    System.out.println(TfLosses.provenance(java.util.List.of(TfLosses.KLD, TfLosses.HINGE, TfLosses.LOG_POISSON)));
  }
}
