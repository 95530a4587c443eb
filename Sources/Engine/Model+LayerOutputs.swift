// Every layer's output for one example, for inspecting a model (what
// `show activations` draws). Inference semantics (no training-only masks, moving statistics).
//
// Shapes: layer l's output has `architecture.summary()[l].outputShape`
// (NHWC for images, flat after flatten or dense). Computed by the scalar
// reference forward (`ReferenceTraining.forward(layers:...)`), whose bits
// the fast path matches; the last layer's logits become probabilities by
// `SoftmaxCrossEntropy.forward`, as `predict` does, so they equal
// `predict`'s bit for bit.

extension Model {
    /// Each layer's output for one example of `inputWidth` features; the last
    /// layer's as class probabilities. Throws `shapeMismatch` for another width.
    public func layerOutputs(features: [Float]) throws(EngineError) -> [[Float]] {
        guard features.count == architecture.inputWidth else {
            throw .shapeMismatch(
                "the model expects \(architecture.inputWidth) features per example, got \(features.count)")
        }
        var state = self.state
        var outputs = ReferenceTraining.forward(
            layers: layers, parameters: parameters, state: &state, input: features, rows: 1, training: nil
        ).map(\.output)
        let last = outputs.count - 1
        let zeros = [Float](repeating: 0, count: outputs[last].count)
        outputs[last].withUnsafeMutableBufferPointer { z in
            zeros.withUnsafeBufferPointer { bias in
                guard let z = z.baseAddress, let bias = bias.baseAddress else { return }
                SoftmaxCrossEntropy.forward(z, bias: bias, rows: 1, classes: zeros.count)
            }
        }
        return outputs
    }

    /// `layerOutputs(features:)` for one example of pixels, converted as
    /// `scaling` prescribes (as `predict(pixels:count:scaling:)` does).
    /// Throws `shapeMismatch` for another width, and as `predict(pixels:...)`
    /// for bad standardize statistics.
    public func layerOutputs(pixels: [UInt8], scaling: InputScaling) throws(EngineError) -> [[Float]] {
        let width = architecture.inputWidth
        guard pixels.count == width else {
            throw .shapeMismatch("the model expects \(width) pixels per example, got \(pixels.count)")
        }
        let conversion = try PixelConversion(scaling, width: width)
        var features = [Float](repeating: 0, count: width)
        pixels.withUnsafeBufferPointer { p in
            features.withUnsafeMutableBufferPointer { x in
                guard let p = p.baseAddress, let x = x.baseAddress else { return }
                conversion.convert(rows: 1, width: width, row: { _ in p }, into: x)
            }
        }
        return try layerOutputs(features: features)
    }
}
