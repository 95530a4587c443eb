import Datasets
import Engine
import Language
import Plotting

/// The pictures of a convnet: `show weights` on a model whose first layer
/// is Conv2D draws that layer's filters, and `show activations N` draws
/// what every layer makes of test digit N.
extension Session {
    /// The first Conv2D layer's filters as KxK pictures (PLOTS/weights.png).
    func plotFilters(_ model: Model, _ spec: Conv2DLayer, invocation: Invocation) throws(Diagnostic) {
        let shape = model.architecture.inputShape
        let channels = shape.count == 3 ? shape[2] : 1
        let kernel = Array(model.parameters[model.parameterRanges(layer: 0).kernel])
        let script = try plotting(invocation, name: "weights") { output throws(PlottingError) in
            try filterGrid(
                kernel: kernel, kernelSize: spec.kernelSize, inputChannels: channels, filters: spec.filters, output: output)
        }
        var preview: String?
        if wantsPreviews {
            preview = try? filterPreview(kernel, spec, channels: channels)
        }
        try publish(script, preview: preview, invocation: invocation)
    }

    /// The first filters in block characters, enlarged to about 12 columns:
    /// ink where a weight is positive (in proportion to the largest magnitude).
    private func filterPreview(_ kernel: [Float], _ spec: Conv2DLayer, channels: Int) throws(PlottingError) -> String {
        let filters = try convolutionFilters(
            kernel: kernel, kernelSize: spec.kernelSize, inputChannels: channels, filters: spec.filters)
        let largest = filters.joined().filter(\.isFinite).map(\.magnitude).max() ?? 0
        let factor = max(1, (12 + spec.kernelSize - 1) / spec.kernelSize)
        let images = filters.prefix(10).enumerated().map { index, values in
            MapImage(
                pixels: unitInterval(values, low: 0, high: largest), width: spec.kernelSize, height: spec.kernelSize,
                caption: "\(index)"
            ).scaled(by: factor)
        }
        return "ink where a filter's weight is positive\n" + (try blockCharacterMaps(images))
    }

    /// `show activations N`: test digit N, and each convolution and pooling
    /// layer's feature maps and each Dense layer's units, as the model
    /// computes them for that digit (PLOTS/activations-N.png). Layers whose
    /// kind draws nothing of its own (one that only reshapes the maps above
    /// it, or passes them through outside training) are left out.
    func plotActivations(invocation: Invocation) throws(Diagnostic) {
        let model = try requireModel(for: invocation)
        let data = try requireData(for: invocation)
        let set = data.test
        guard set.count > 0 else {
            throw Diagnostic("the test set is empty (load idx with a test pair, or load mnist)", at: invocation.wholeSpan)
        }
        let index = invocation.integer("N") ?? 0
        guard index < set.count else {
            throw Diagnostic(
                "the test set has digits 0 to \(set.count - 1). Received: \(index)",
                at: invocation.argument("N")?.word.span ?? invocation.wholeSpan)
        }
        let width = set.rows * set.cols
        guard width == model.architecture.inputWidth, let summary = try? model.architecture.summary() else {
            throw Diagnostic(
                "show activations needs a model that takes \(set.rows)x\(set.cols) digits; this one takes "
                    + "\(model.architecture.inputWidth) features",
                at: invocation.wholeSpan)
        }
        let pixels = Array(set.pixels[(index * width)..<((index + 1) * width)])
        let outputs: [[Float]]
        do {
            outputs = try model.layerOutputs(pixels: pixels, scaling: inputScaling)
        } catch {
            throw Diagnostic(error.description, at: invocation.verb.span)
        }
        let truth = Int(set.labels[index])
        let probabilities = outputs.last ?? []
        let predicted = probabilities.indices.max { probabilities[$0] < probabilities[$1] } ?? 0
        let confidence = NumberFormat.fixed(Double(probabilities.isEmpty ? 0 : probabilities[predicted]), 4)
        var layers = [
            FeatureMaps(
                label: "input: test digit \(index) (true \(truth))", width: set.cols, height: set.rows,
                maps: [pixels.map { Float($0) / 255 }])
        ]
        for (position, layer) in model.architecture.stack.enumerated() {
            let row = summary[position], values = outputs[position]
            let shapeText = row.outputShape.map(String.init).joined(separator: "x")
            guard layer.drawsActivations else { continue }
            let activation = layer.activationName.map { ", \($0)" } ?? ""
            let plain = layer.activationName.map { " \($0)" } ?? ""
            if row.outputShape.count == 3 {
                let (h, w, c) = (row.outputShape[0], row.outputShape[1], row.outputShape[2])
                layers.append(
                    FeatureMaps(
                        label: "\(row.name) (\(row.className)) \(shapeText)\(activation)", width: w, height: h,
                        maps: (0..<c).map { FeatureMaps.channel($0, of: values, width: w, height: h, channels: c) }))
            } else {
                let last = position == model.architecture.stack.count - 1
                let result = last ? ": predicted \(predicted), probability \(confidence)" : ""
                layers.append(
                    FeatureMaps(
                        label: "\(row.name) (\(row.className)) \(values.count)\(plain)\(result)",
                        width: values.count, height: 1, maps: [values]))
            }
        }
        let script = try plotting(invocation, name: "activations-\(index)") { output throws(PlottingError) in
            try activationMaps(
                title: "activations of test digit \(index) (true \(truth), predicted \(predicted))", layers: layers,
                output: output)
        }
        let drawn = layers.dropFirst().map { String($0.label.prefix { $0 != " " }) + " " + Self.shape(of: $0) }
        emit(
            .text(
                "test digit \(index) (true \(truth)): predicted \(predicted), probability \(confidence); drawn: input, "
                    + drawn.joined(separator: ", ")))
        try publish(script, preview: wantsPreviews ? try? activationPreview(layers) : nil, invocation: invocation)
    }

    /// `26x26x32` for maps, `128` for a strip.
    private static func shape(of layer: FeatureMaps) -> String {
        layer.height == 1 && layer.maps.count == 1 ? "\(layer.width)" : "\(layer.height)x\(layer.width)x\(layer.maps.count)"
    }

    /// The input and, for each layer of maps, as many of its first maps as
    /// fit on one 80-column row, each layer scaled from its lowest (or 0)
    /// to its highest value. Dense strips are left out.
    private func activationPreview(_ layers: [FeatureMaps]) throws(PlottingError) -> String {
        var text = ""
        for layer in layers where layer.height > 1 || layer.maps.count > 1 {
            let perRow = max(1, 82 / (layer.width + 2))
            let shown = Array(layer.maps.prefix(perRow))
            let finite = shown.joined().filter(\.isFinite)
            let low = min(0, finite.min() ?? 0), high = finite.max() ?? 1
            let images = shown.map {
                MapImage(pixels: unitInterval($0, low: low, high: high), width: layer.width, height: layer.height)
            }
            text += printableLabel(layer, shown: shown.count) + "\n" + (try blockCharacterMaps(images))
        }
        return text
    }

    private func printableLabel(_ layer: FeatureMaps, shown: Int) -> String {
        shown < layer.maps.count ? "\(layer.label) (first \(shown) of \(layer.maps.count))" : layer.label
    }
}
