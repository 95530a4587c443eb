// Activation and gradient buffers for one batch shape, allocated once and
// reused for every batch (a smaller last batch just uses fewer rows), and the
// whole network's forward and backward passes over them.
//
// Shapes: `N` rows (≤ capacity), layer l maps `I_l` inputs to `O_l` outputs.
//   activations[l]  capacity×O_l   a_l = f_l(a_{l-1}·W_l + b_l); for the last
//                                  layer: probabilities, or dL/dz after a
//                                  training forward (fused softmax + CE)
//   deltas[l]       capacity×O_l   dL/dz_l of hidden layers (training only)

final class Workspace {
    let plan: [LayerPlan]
    /// Most rows one pass may use.
    let capacity: Int
    private let activations: [UnsafeMutablePointer<Float>]
    private let deltas: [UnsafeMutablePointer<Float>]

    /// Most floats the buffers of one workspace may take (4 GiB).
    static let maximumFloats = 1 << 30

    /// Floats one row costs: every layer's outputs, twice when training
    /// (activations and deltas), plus the gathered input row.
    static func floatsPerRow(_ plan: [LayerPlan], training: Bool) -> Int {
        let outputs = plan.reduce(0) { $0 + $1.outputs }
        return training ? 2 * outputs + (plan.first?.inputs ?? 0) : outputs
    }

    /// Most rows that fit under `maximumFloats` (at least 1).
    static func maximumRows(_ plan: [LayerPlan], training: Bool) -> Int {
        max(1, maximumFloats / max(1, floatsPerRow(plan, training: training)))
    }

    /// Buffers for up to `capacity` rows; `training` adds the gradient buffers.
    init(plan: [LayerPlan], capacity: Int, training: Bool) {
        precondition(capacity > 0 && !plan.isEmpty, "workspace needs rows and layers")
        self.plan = plan
        self.capacity = capacity
        activations = plan.map { layer in
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: capacity * layer.outputs)
            buffer.initialize(repeating: 0, count: capacity * layer.outputs)
            return buffer
        }
        deltas = training
            ? plan.dropLast().map { layer in
                let buffer = UnsafeMutablePointer<Float>.allocate(capacity: capacity * layer.outputs)
                buffer.initialize(repeating: 0, count: capacity * layer.outputs)
                return buffer
            } : []
    }

    deinit {
        for buffer in activations { buffer.deallocate() }
        for buffer in deltas { buffer.deallocate() }
    }

    /// The last layer's output: `rows × classes` probabilities after a
    /// forward without gradient.
    var output: UnsafePointer<Float> { UnsafePointer(activations[activations.count - 1]) }

    /// Forward through every layer for `rows` rows of `input` (N×I_0).
    ///
    /// Without `labels` the last layer ends in softmax and nothing is
    /// returned. With `labels` it ends in the fused softmax + cross-entropy,
    /// returning summed loss and correct count; `gradientScale` (1/N for the
    /// batch mean) then also leaves dL/dz of the last layer in place for
    /// `backward`.
    @discardableResult
    func forward(
        input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        labels: UnsafePointer<UInt8>?, gradientScale: Float?
    ) -> SoftmaxCrossEntropy.Totals {
        precondition(rows > 0 && rows <= capacity, "rows exceed the workspace")
        var x = input
        let last = plan.count - 1
        for l in 0..<last {
            Dense.forward(input: x, rows: rows, layer: plan[l], parameters: parameters, output: activations[l])
            x = UnsafePointer(activations[l])
        }
        let layer = plan[last]
        let z = activations[last]
        Dense.forward(input: x, rows: rows, layer: layer, parameters: parameters, output: z, activate: false)
        let bias = parameters + layer.biasOffset
        guard let labels else {
            SoftmaxCrossEntropy.forward(z, bias: bias, rows: rows, classes: layer.outputs)
            return SoftmaxCrossEntropy.Totals()
        }
        return SoftmaxCrossEntropy.forwardLoss(
            z, bias: bias, labels: labels, rows: rows, classes: layer.outputs, gradientScale: gradientScale)
    }

    /// Backward after a training `forward` on the same `input` and `rows`:
    /// writes every layer's dW and db into `gradients` (mirroring the
    /// parameter buffer). dx is skipped for the first layer.
    func backward(
        input: UnsafePointer<Float>, rows: Int, parameters: UnsafePointer<Float>,
        gradients: UnsafeMutablePointer<Float>
    ) {
        precondition(deltas.count == plan.count - 1, "workspace was not built for training")
        var l = plan.count - 1
        var dz = activations[l]
        while true {
            let layer = plan[l]
            let x = l > 0 ? UnsafePointer(activations[l - 1]) : input
            let dx: UnsafeMutablePointer<Float>? = l > 0 ? deltas[l - 1] : nil
            Dense.backward(
                input: x, rows: rows, layer: layer, parameters: parameters, outputGradient: dz,
                gradients: gradients, inputGradient: dx)
            guard let dx else { break }
            l -= 1
            plan[l].activation.backward(gradient: dx, output: activations[l], count: rows * plan[l].outputs)
            dz = dx
        }
    }
}
