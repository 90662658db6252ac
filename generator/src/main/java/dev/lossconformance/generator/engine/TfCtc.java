package dev.lossconformance.generator.engine;

import static org.tensorflow.proto.DataType.DT_INT32;

import dev.lossconformance.api.TfNnApis;
import dev.lossconformance.catalog.Call;
import dev.lossconformance.generator.runtime.TfGraph;
import dev.lossconformance.generator.runtime.TfGraph.KernelFails;
import dev.lossconformance.generator.runtime.TfGraph.Node;
import dev.lossconformance.generator.runtime.TfGraph.PythonError;
import dev.lossconformance.tensor.DType;
import dev.lossconformance.tensor.Tensor;
import java.util.List;
import java.util.Set;

/**
 * {@code tf.nn.ctc_loss} (TF 2.16 ctc_ops.py {@code ctc_loss_v3}) on its SparseTensor-label path as
 * eager Python runs it on CPU ({@code _ctc_loss_op_standard}, then {@code _ctc_loss_impl}), raw op by
 * raw op; registered by {@link TfLosses}.
 *
 * <p>A case holds the labels dense: {@code labels [B, S]} int64 with {@code label_length [B]}. They
 * become the SparseTensor {@code ctc_ops.dense_labels_to_sparse(labels, label_length)} gives (indices
 * {@code [b, j]} for {@code j < label_length[b]} in row-major order, int64; values cast to int32),
 * computed here and fed as the op's inputs. {@code logit_length} is fed as int32, as a Python list of
 * ints converts for CTCLoss' {@code sequence_length}. The dense-label path ({@code ctc_loss_dense}, a
 * LogSoftmax and While-loop composition) is not reproduced.
 */
final class TfCtc {
  static final String API = TfNnApis.CTC_LOSS_NAME;

  static final String PROVENANCE = API + ": TF 2.16 ctc_ops.py ctc_loss_v3 with SparseTensor labels, the eager CPU"
      + " path reproduced op by op: blank_index += C when negative; _ctc_loss_op_standard moves the blank column"
      + " last with StridedSlice logits[:, :, :b], logits[:, :, b+1:], logits[:, :, b:b+1] and ConcatV2(axis 2),"
      + " and shifts labels >= b down by one (Less, Sub, Select = array_ops.where); _ctc_loss_impl [Transpose"
      + " [1, 0, 2] when logits_time_major=False] then the raw kernel CTCLoss(inputs, labels.indices,"
      + " labels.values, sequence_length, preprocess_collapse_repeated=False, ctc_merge_repeated=True,"
      + " ignore_longer_outputs_than_inputs=False), output 0, in the logits' dtype, no reduction (a [batch]"
      + " vector). The fixture's dense labels [B, S] with label_length are the SparseTensor that"
      + " ctc_ops.dense_labels_to_sparse(labels, label_length) gives (indices [b, j], j < label_length[b],"
      + " int64; values cast to int32), computed by the generator and fed to the op; logit_length is fed as"
      + " int32 (a Python list of ints). The dense-label path ctc_loss_dense is not run. Gradient: TF Python's"
      + " registered _CTCLossGrad, ExpandDims(upstream, -1) * PreventGradient(CTCLoss output 1) (the"
      + " kernel's softmax - occupancy, 0 past sequence_length), carried back through ConcatV2/StridedSlice"
      + " (and Transpose) by TF's C++ gradient registry.";

  private TfCtc() {}

  static TfLosses.Built build(TfGraph g, Call c) throws TfLosses.UnsupportedCase, PythonError, KernelFails {
    for (String p : c.params().keySet()) {
      if (!Set.of("blank_index", "logits_time_major").contains(p)) {
        throw new TfLosses.UnsupportedCase("param " + p + " of " + API + " is not passed by TensorFlowBackend");
      }
    }
    for (String name : c.inputs().keySet()) {
      if (!List.of("labels", "logits", "label_length", "logit_length").contains(name)) {
        throw new TfLosses.UnsupportedCase("input " + name + " of " + API + " is not passed by TensorFlowBackend");
      }
    }
    if (!(c.params().get("blank_index") instanceof Long blankIndex)) {
      throw new TfLosses.UnsupportedCase("blank_index " + c.params().get("blank_index") + " is not an integer:"
          + " the sparse-label path needs one (ctc_loss_dense is not reproduced)");
    }
    Object tm = c.params().getOrDefault("logits_time_major", true);
    if (!(tm instanceof Boolean timeMajor)) {
      throw new TfLosses.UnsupportedCase("logits_time_major " + tm + " is not a bool");
    }
    Tensor labels = c.input("labels");
    Tensor labelLength = c.input("label_length");
    if (labels.rank() != 2 || labelLength.rank() != 1 || labelLength.numel() != labels.size(0)
        || labels.dtype().isFloating() || labelLength.dtype().isFloating()) {
      throw new TfLosses.UnsupportedCase("labels must be an integer [B, S] tensor with a [B] label_length to form"
          + " the SparseTensor; got " + labels.dtype() + " " + java.util.Arrays.toString(labels.shape()));
    }
    Node logits = g.input(c.input("logits"));
    long blank = blankIndex;
    if (blank < 0) {
      if (logits.rank() < 3) {
        throw new TfLosses.UnsupportedCase("a negative blank_index on rank-" + logits.rank() + " logits"
            + " (_get_dim's IndexError is not reproduced)");
      }
      blank += logits.shape()[2]; // blank_index += _get_dim(logits, 2)
    }
    // dense_labels_to_sparse(labels, label_length)
    int b = labels.size(0);
    int s = labels.size(1);
    int n = 0;
    for (int i = 0; i < b; i++) {
      n += (int) Math.min(Math.max(labelLength.getLong(i), 0), s);
    }
    long[] indices = new long[2 * n];
    long[] values = new long[n];
    for (int i = 0, k = 0; i < b; i++) {
      for (int j = 0; j < s && j < labelLength.getLong(i); j++, k++) {
        indices[2 * k] = i;
        indices[2 * k + 1] = j;
        values[k] = labels.getLong(i * s + j);
      }
    }
    Node labelIndices = g.input(Tensor.ofLongs(DType.INT64, indices, n, 2));
    Node labelValues = g.input(Tensor.ofLongs(DType.INT32, values, n));
    Tensor logitLength = c.input("logit_length");
    Node sequenceLength = g.input(Tensor.ofLongs(DType.INT32, logitLength.toLongArray(), logitLength.shape()));

    // _ctc_loss_op_standard: the blank column moves last, labels above it shift down
    Node before = g.sliceLastDim(logits, null, blank);
    Node after = g.sliceLastDim(logits, blank + 1, null);
    Node blankColumn = g.sliceLastDim(logits, blank, blank + 1);
    Node moved = g.concat(List.of(before, after, blankColumn), 2);
    Node below = g.binary("Less", labelValues, g.scalar(DT_INT32, blank));
    Node shifted = g.select("Select", below, labelValues, g.binary("Sub", labelValues, g.scalar(DT_INT32, 1)));
    // _ctc_loss_impl
    Node inputs = timeMajor ? moved : g.transpose(moved, new long[] {1, 0, 2});
    Node loss = g.ctcLoss(inputs, labelIndices, shifted, sequenceLength);
    return new TfLosses.Built(loss, "logits", logits);
  }
}
