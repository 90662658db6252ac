package dev.lossconformance.implementations.onnxruntime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes the bytes of a one-node ONNX {@code ModelProto} by hand: a protobuf encoder for the few
 * fields such a model needs, so that the adapter depends on nothing but ONNX Runtime (no
 * protobuf-java, no Python). The field numbers are those of {@code onnx/onnx.proto} (onnx v1.20):
 *
 * <pre>
 * ModelProto         ir_version=1 (int64), producer_name=2, graph=7, opset_import=8
 * OperatorSetIdProto domain=1, version=2
 * GraphProto         node=1, name=2, input=11, output=12
 * NodeProto          input=1, output=2, name=3, op_type=4, attribute=5
 * AttributeProto     name=1, i=3, s=4, type=20 (INT=2, STRING=3)
 * ValueInfoProto     name=1, type=2
 * TypeProto          tensor_type=1;  TypeProto.Tensor elem_type=1, shape=2
 * TensorShapeProto   dim=1;  Dimension dim_value=1, dim_param=2
 * </pre>
 *
 * A model is typically a few hundred bytes.
 */
final class OnnxModelWriter {
  /** ONNX {@code TensorProto.DataType} values. */
  static final int FLOAT = 1;
  static final int INT64 = 7;
  static final int DOUBLE = 11;

  /** IR version 7 is the one of opset 13 (onnx/docs/Versioning.md). */
  static final long IR_VERSION = 7;

  private OnnxModelWriter() {}

  /** A graph input or output: a name, an element type and one symbolic dimension per axis. */
  record ValueInfo(String name, int elemType, List<String> dimParams) {}

  /** A node attribute: exactly one of {@code i} (INT) or {@code s} (STRING). */
  record Attribute(String name, Long i, String s) {
    static Attribute ofInt(String name, long value) {
      return new Attribute(name, value, null);
    }

    static Attribute ofString(String name, String value) {
      return new Attribute(name, null, value);
    }
  }

  /**
   * The model {@code graph { node: opType(inputs) -> outputs }} importing the default domain at
   * {@code opset}.
   */
  static byte[] model(long opset, String opType, List<String> nodeInputs, List<String> nodeOutputs,
      List<Attribute> attributes, List<ValueInfo> graphInputs, List<ValueInfo> graphOutputs) {
    Proto node = new Proto();
    for (String in : nodeInputs) {
      node.string(1, in);
    }
    for (String out : nodeOutputs) {
      node.string(2, out);
    }
    node.string(3, opType + "_0");
    node.string(4, opType);
    for (Attribute a : attributes) {
      Proto attr = new Proto().string(1, a.name());
      if (a.i() != null) {
        attr.varint(3, a.i()).varint(20, 2);
      } else {
        attr.string(4, a.s()).varint(20, 3);
      }
      node.message(5, attr);
    }

    Proto graph = new Proto().message(1, node).string(2, "loss_conformance_" + opType);
    for (ValueInfo v : graphInputs) {
      graph.message(11, valueInfo(v));
    }
    for (ValueInfo v : graphOutputs) {
      graph.message(12, valueInfo(v));
    }

    Proto opsetImport = new Proto().string(1, "").varint(2, opset);
    return new Proto()
        .varint(1, IR_VERSION)
        .string(2, "loss-conformance-impl-onnxruntime")
        .message(7, graph)
        .message(8, opsetImport)
        .bytes();
  }

  private static Proto valueInfo(ValueInfo v) {
    Proto tensor = new Proto().varint(1, v.elemType());
    if (v.dimParams() != null) {
      Proto shape = new Proto();
      for (String d : v.dimParams()) {
        shape.message(1, new Proto().string(2, d));
      }
      tensor.message(2, shape);
    }
    Proto type = new Proto().message(1, tensor);
    return new Proto().string(1, v.name()).message(2, type);
  }

  /** A protobuf message under construction: fields appended in order, wire types 0 and 2 only. */
  private static final class Proto {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Proto varint(int field, long value) {
      tag(field, 0);
      rawVarint(value);
      return this;
    }

    Proto string(int field, String value) {
      return lengthDelimited(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Proto message(int field, Proto value) {
      return lengthDelimited(field, value.bytes());
    }

    byte[] bytes() {
      return out.toByteArray();
    }

    private Proto lengthDelimited(int field, byte[] value) {
      tag(field, 2);
      rawVarint(value.length);
      out.writeBytes(value);
      return this;
    }

    private void tag(int field, int wireType) {
      rawVarint(((long) field << 3) | wireType);
    }

    /** Base-128 varint; a negative int64 takes ten bytes, as protobuf encodes it. */
    private void rawVarint(long value) {
      while ((value & ~0x7FL) != 0) {
        out.write((int) ((value & 0x7F) | 0x80));
        value >>>= 7;
      }
      out.write((int) value);
    }
  }
}
