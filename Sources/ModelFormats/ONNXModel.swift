// ONNX out: the few protobuf messages an inference graph needs, encoded by
// hand (onnx.proto, proto2 field numbers below), and a graph builder that
// each layer kind adds its nodes to.
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
// channels-last (NHWC) as Keras does; ONNX's Conv and MaxPool work on
// NCHW, so the builder transposes into NCHW before the first of them and
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

/// One attribute of an ONNX node.
enum ONNXAttribute {
    case int(String, Int)
    case ints(String, [Int])
    case float(String, Float)

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

/// An inference graph under construction: nodes, float32 initializers, and
/// the current tensor (its name, its per-example shape in Keras's NHWC
/// terms, and whether it is held NCHW at the moment).
struct ONNXGraph {
    /// Opset 13: Softmax on the last axis, Flatten, Gemm, Conv, MaxPool, AveragePool, Transpose.
    static let opset = 13
    /// IR version 7, the one opset 13 came with.
    static let irVersion = 7

    private var nodes: [[UInt8]] = []
    private var initializers: [[UInt8]] = []
    private var counter = 0
    let inputName = "pixels"
    let outputName = "probabilities"
    let inputShape: [Int]
    /// The tensor the next node reads.
    private(set) var current: String
    /// Its per-example shape as Keras sees it (NHWC for images).
    private(set) var shape: [Int]
    /// True while an image tensor is held as NCHW.
    private(set) var channelsFirst = false

    init(inputShape: [Int]) {
        self.inputShape = inputShape
        current = inputName
        shape = inputShape
    }

    /// A fresh tensor name: `relu_1`, `gemm_2`, ...
    private mutating func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)_\(counter)"
    }

    /// A fresh initializer name: `conv2d_3`, ...
    mutating func unique(_ prefix: String) -> String { fresh(prefix) }

    /// A float32 initializer; returns its name.
    mutating func constant(_ name: String, dims: [Int], _ values: [Float]) -> String {
        precondition(dims.reduce(1, *) == values.count, "\(name): \(values.count) values for \(dims)")
        var tensor = ProtobufWriter()
        for dim in dims { tensor.int(1, dim) }
        tensor.int(2, 1)  // FLOAT
        tensor.string(8, name)
        var raw: [UInt8] = []
        raw.reserveCapacity(values.count * 4)
        for value in values {
            let bits = value.bitPattern
            for k in 0..<4 { raw.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(k)))) }
        }
        tensor.bytesField(9, raw)
        initializers.append(tensor.bytes)
        return name
    }

    /// Appends `op` reading `current` (then `extra` inputs); its output becomes current with `shape`.
    mutating func apply(
        _ op: String, _ extra: [String] = [], _ attributes: [ONNXAttribute] = [], shape newShape: [Int]? = nil
    ) {
        let output = fresh(op.lowercased())
        var node = ProtobufWriter()
        for input in [current] + extra { node.string(1, input) }
        node.string(2, output)
        node.string(3, output)
        node.string(4, op)
        for attribute in attributes { node.message(5) { attribute.encode(&$0) } }
        nodes.append(node.bytes)
        current = output
        if let newShape { shape = newShape }
    }

    /// Makes the current image tensor NCHW (before Conv, pooling).
    mutating func channelsFirstImage() {
        guard !channelsFirst else { return }
        apply("Transpose", [], [.ints("perm", [0, 3, 1, 2])])
        channelsFirst = true
    }

    /// Makes the current image tensor NHWC again (before Flatten, Dense).
    mutating func channelsLastImage() {
        guard channelsFirst else { return }
        apply("Transpose", [], [.ints("perm", [0, 2, 3, 1])])
        channelsFirst = false
    }

    /// The current tensor is flat again (after a global pooling).
    mutating func leftImage() { channelsFirst = false }

    /// The element-wise activation node, none for linear.
    mutating func activation(_ activation: Activation) {
        switch activation {
        case .linear: break
        case .relu: apply("Relu")
        case .sigmoid: apply("Sigmoid")
        case .tanh: apply("Tanh")
        case .softmax:
            channelsLastImage()
            apply("Softmax", [], [.int("axis", -1)])
        }
    }

    /// The ModelProto bytes, with `current` as the output.
    mutating func model(producerVersion: String) -> [UInt8] {
        channelsLastImage()
        // An Identity gives the last tensor the graph's output name.
        var node = ProtobufWriter()
        node.string(1, current)
        node.string(2, outputName)
        node.string(3, outputName)
        node.string(4, "Identity")
        nodes.append(node.bytes)
        var model = ProtobufWriter()
        model.int(1, ONNXGraph.irVersion)
        model.string(2, "dnb")
        model.string(3, producerVersion)
        let graphNodes = nodes
        let graphInitializers = initializers
        let input = inputShape
        let output = shape
        let names = (inputName, outputName)
        model.message(7) { graph in
            for node in graphNodes { graph.bytesField(1, node) }
            graph.string(2, "dnb")
            for tensor in graphInitializers { graph.bytesField(5, tensor) }
            graph.message(11) { ONNXGraph.valueInfo(&$0, names.0, input) }
            graph.message(12) { ONNXGraph.valueInfo(&$0, names.1, output) }
        }
        model.message(8) { opset in
            opset.string(1, "")
            opset.int(2, ONNXGraph.opset)
        }
        return model.bytes
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
