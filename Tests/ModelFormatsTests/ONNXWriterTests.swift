import Testing

@testable import Engine
@testable import ModelFormats

/// The ONNX writer's bytes, read back with a small protobuf walker: the
/// graph's input and output, the opset, and the nodes a conv stack needs —
/// a Transpose into NCHW before the first Conv and back before Flatten.
@Suite struct ONNXWriterTests {
    /// Field number and payload of each top-level field (wire types 0, 2 and 5 only).
    static func fields(_ bytes: ArraySlice<UInt8>) -> [(field: Int, payload: ArraySlice<UInt8>, value: UInt64)] {
        var out: [(Int, ArraySlice<UInt8>, UInt64)] = []
        var index = bytes.startIndex
        func varint() -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while index < bytes.endIndex {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { break }
                shift += 7
            }
            return value
        }
        while index < bytes.endIndex {
            let key = varint()
            switch key & 7 {
            case 0: out.append((Int(key >> 3), [], varint()))
            case 2:
                let length = Int(varint())
                out.append((Int(key >> 3), bytes[index..<(index + length)], 0))
                index += length
            case 5:
                out.append((Int(key >> 3), bytes[index..<(index + 4)], 0))
                index += 4
            default: return out
            }
        }
        return out
    }

    static func text(_ payload: ArraySlice<UInt8>) -> String { String(decoding: payload, as: UTF8.self) }

    @Test func aConvStackTransposesIntoNCHWAndBackBeforeFlatten() throws {
        let architecture = Architecture(
            inputShape: [28, 28, 1],
            stack: [
                LayerSpec(Conv2DLayer(filters: 2, kernelSize: 3, activation: .relu)), LayerSpec(MaxPooling2DLayer(poolSize: 2)),
                LayerSpec(FlattenLayer()),
                LayerSpec(DropoutLayer(rate: 0.5)), LayerSpec(DenseLayer(units: 10, activation: .softmax)),
            ])
        let model = try Model(architecture: architecture, seed: 1)
        let bytes = try ModelCodec.encode(ModelFile(architecture: architecture, parameters: model.parameters), as: .onnx)
        let top = Self.fields(bytes[...])
        #expect(top.first?.field == 1 && top.first?.value == 7, "ir_version 7 first")
        let opset = try #require(top.first { $0.field == 8 })
        #expect(Self.fields(opset.payload).first { $0.field == 2 }?.value == 13)
        let graph = try #require(top.first { $0.field == 7 })
        let nodes = Self.fields(graph.payload).filter { $0.field == 1 }.map { node in
            Self.fields(node.payload).first { $0.field == 4 }.map { Self.text($0.payload) } ?? "?"
        }
        #expect(
            nodes == ["Div", "Transpose", "Conv", "Relu", "MaxPool", "Transpose", "Flatten", "Gemm", "Softmax", "Identity"],
            "dropout is left out; the image goes NCHW for Conv and back to NHWC for Flatten")
        let inputs = Self.fields(graph.payload).filter { $0.field == 11 }
        #expect(inputs.count == 1)
        #expect(Self.text(Self.fields(inputs[0].payload)[0].payload) == "pixels")
        #expect(ModelFormat.detect(bytes) == .onnx)
    }

    @Test func dnbDoesNotReadONNXBack() {
        #expect(throws: ModelFormatError.self) { try ModelCodec.decode([0x08, 0x07], as: .onnx) }
    }
}
