// ONNX out: the few protobuf messages an inference graph needs, encoded by
// hand (onnx.proto, proto2 field numbers below), from the engine's
// `InferenceGraph` that each layer kind adds its nodes to.
//
// Why a hand encoder and not swift-protobuf: dnb only writes ONNX, and only
// ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
// ValueInfoProto, TypeProto and TensorShapeProto, nine small messages of
// which it sets about thirty fields: about 150 lines here, checked by
// `onnx.checker` and onnxruntime in Tests/Peers, against a package whose
// generated onnx.pb.swift alone is ~10,000 lines and whose build plugin took
// 9.5 minutes on this machine.
//
// The graph takes the raw 0–255 pixels, (N, 784) or (N, 28, 28, 1) as
// Keras's input, and gives probabilities (N, 10). dnb keeps images
// channels-last (NHWC) as Keras does; ONNX's Conv and pooling work on
// NCHW, so the graph transposes into NCHW before the first of them and
// back to NHWC before a Flatten, which then gives Keras's (height, width,
// channel) order that the next Dense kernel expects.

import Engine

/// Protobuf wire encoding: varints, length-delimited fields, fixed32.
struct ProtobufWriter {
    private(set) var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
    mutating func tag(_ field: Int, _ wireType: Int) { varint(UInt64(field << 3 | wireType)) }
    /// An int32/int64/enum field (negative values as 10-byte two's complement, as protobuf does).
    mutating func int(_ field: Int, _ value: Int) {
        tag(field, 0)
        varint(UInt64(bitPattern: Int64(value)))
    }
    mutating func bytesField(_ field: Int, _ value: [UInt8]) {
        tag(field, 2)
        varint(UInt64(value.count))
        bytes += value
    }
    mutating func string(_ field: Int, _ value: String) { bytesField(field, Array(value.utf8)) }
    mutating func message(_ field: Int, _ build: (inout ProtobufWriter) -> Void) {
        var inner = ProtobufWriter()
        build(&inner)
        bytesField(field, inner.bytes)
    }
    mutating func float(_ field: Int, _ value: Float) {
        tag(field, 5)
        let bits = value.bitPattern
        for k in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(k)))) }
    }
}

extension ONNXAttribute {
    /// AttributeProto: name 1, f 2, i 3, ints 8, type 20 (FLOAT 1, INT 2, INTS 7).
    func encode(_ writer: inout ProtobufWriter) {
        switch self {
        case .int(let name, let value):
            writer.string(1, name)
            writer.int(3, value)
            writer.int(20, 2)
        case .ints(let name, let values):
            writer.string(1, name)
            for value in values { writer.int(8, value) }
            writer.int(20, 7)
        case .float(let name, let value):
            writer.string(1, name)
            writer.float(2, value)
            writer.int(20, 1)
        }
    }
}

/// An inference graph as ONNX's ModelProto.
enum ONNXModel {
    /// Opset 13: Softmax on the last axis, Flatten, Gemm, Conv, the pools, Transpose, BatchNormalization.
    static let opset = 13
    /// IR version 7, the one opset 13 came with.
    static let irVersion = 7
    static let outputName = "probabilities"

    /// The ModelProto bytes of `graph`, its current tensor (back to NHWC) as the output.
    static func encode(_ graph: InferenceGraph, producerVersion: String) -> [UInt8] {
        var graph = graph
        graph.channelsLastImage()
        var nodes = graph.nodes.map { node($0.op, $0.inputs, $0.output, $0.attributes) }
        // An Identity gives the last tensor the graph's output name.
        nodes.append(node("Identity", [graph.current], outputName, []))
        let initializers = graph.initializers.map(tensor)
        var model = ProtobufWriter()
        model.int(1, irVersion)
        model.string(2, "dnb")
        model.string(3, producerVersion)
        model.message(7) { writer in
            for node in nodes { writer.bytesField(1, node) }
            writer.string(2, "dnb")
            for tensor in initializers { writer.bytesField(5, tensor) }
            writer.message(11) { valueInfo(&$0, graph.inputName, graph.inputShape) }
            writer.message(12) { valueInfo(&$0, outputName, graph.shape) }
        }
        model.message(8) { opset in
            opset.string(1, "")
            opset.int(2, ONNXModel.opset)
        }
        return model.bytes
    }

    /// NodeProto: input 1, output 2, name 3, op_type 4, attribute 5.
    private static func node(_ op: String, _ inputs: [String], _ output: String, _ attributes: [ONNXAttribute]) -> [UInt8] {
        var writer = ProtobufWriter()
        for input in inputs { writer.string(1, input) }
        writer.string(2, output)
        writer.string(3, output)
        writer.string(4, op)
        for attribute in attributes { writer.message(5) { attribute.encode(&$0) } }
        return writer.bytes
    }

    /// TensorProto: dims 1, data_type 2 (FLOAT 1), name 8, raw_data 9 (little-endian float32).
    private static func tensor(_ initializer: InferenceGraph.Initializer) -> [UInt8] {
        var tensor = ProtobufWriter()
        for dim in initializer.dims { tensor.int(1, dim) }
        tensor.int(2, 1)
        tensor.string(8, initializer.name)
        var raw: [UInt8] = []
        raw.reserveCapacity(initializer.values.count * 4)
        for value in initializer.values {
            let bits = value.bitPattern
            for k in 0..<4 { raw.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(k)))) }
        }
        tensor.bytesField(9, raw)
        return tensor.bytes
    }

    /// ValueInfoProto: name 1, type 2 { tensor_type 1 { elem_type 1, shape 2 { dim 1 { dim_value 1 | dim_param 2 } } } }.
    private static func valueInfo(_ writer: inout ProtobufWriter, _ name: String, _ shape: [Int]) {
        writer.string(1, name)
        writer.message(2) { type in
            type.message(1) { tensor in
                tensor.int(1, 1)
                tensor.message(2) { dims in
                    dims.message(1) { $0.string(2, "N") }
                    for size in shape { dims.message(1) { $0.int(1, size) } }
                }
            }
        }
    }
}
