// Element-wise activations of a Dense layer, applied in place on flat buffers.
//
// Shapes: `N` batch rows, `O` layer outputs. Buffers are row-major N×O.
// Forward adds the bias while it activates (one pass: z = xW + b, a = f(z)).
// Backward is written in terms of the activation OUTPUT `a`, so nothing but
// the outputs needs to be kept between the passes.
//
// Softmax is not here: on the last layer it is fused with the loss
// (see SoftmaxCrossEntropy.swift).

/// Element-wise activation of a Dense layer (Keras names).
public enum Activation: String, CaseIterable, Sendable, Equatable {
    /// `f(z) = z`.
    case linear
    /// `f(z) = max(z, 0)`; the derivative at 0 is taken as 0 (as TensorFlow does).
    case relu
    /// `f(z) = 1 / (1 + exp(-z))`.
    case sigmoid
    /// `f(z) = tanh(z)`.
    case tanh
    /// `softmax(z)_j = exp(z_j) / Σ_k exp(z_k)`; only on the last layer, fused
    /// with categorical cross-entropy.
    case softmax
}

extension Activation {
    /// Forward: `a = f(z + b)` in place over `rows`×`columns` values of `z`
    /// (row-major), `bias` has `columns` values. Not for softmax.
    func forward(
        _ z: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, columns: Int
    ) {
        precondition(self != .softmax, "softmax is applied by SoftmaxCrossEntropy")
        for r in 0..<rows {
            let row = z + r * columns
            switch self {
            case .linear:
                for j in 0..<columns { row[j] += bias[j] }
            case .relu:
                for j in 0..<columns { row[j] = max(row[j] + bias[j], 0) }
            case .sigmoid:
                for j in 0..<columns { row[j] = ElementaryFunctions.sigmoid(row[j] + bias[j]) }
            case .tanh:
                for j in 0..<columns { row[j] = ElementaryFunctions.tanh(row[j] + bias[j]) }
            case .softmax:
                break
            }
        }
    }

    /// `a = f(x)` over `count` values (an Activation layer; the same
    /// functions as `forward` without its bias); `a` may be `x`. Not for softmax.
    func apply(_ x: UnsafePointer<Float>, into a: UnsafeMutablePointer<Float>, count: Int) {
        precondition(self != .softmax, "softmax is applied by SoftmaxCrossEntropy")
        switch self {
        case .linear, .softmax:
            a.update(from: x, count: count)
        case .relu:
            // Eight lanes at a time, `max(x, 0)`'s choice (0 where 0 >= x, so
            // NaN stays): `a` may be `x` itself, which keeps the compiler's
            // own vector loop from running.
            let (zero, whole) = (SIMD8<Float>(), count - count % 8)
            for i in stride(from: 0, to: whole, by: 8) {
                let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(a + i).storeBytes(of: v.replacing(with: zero, where: zero .>= v), as: SIMD8<Float>.self)
            }
            for i in whole..<count { a[i] = max(x[i], 0) }
        case .sigmoid:
            for i in 0..<count { a[i] = ElementaryFunctions.sigmoid(x[i]) }
        case .tanh:
            for i in 0..<count { a[i] = ElementaryFunctions.tanh(x[i]) }
        }
    }

    /// Backward: turns `dL/da` into `dL/dz` in place, given the outputs `a`:
    /// linear `1`, relu `a > 0 ? 1 : 0`, sigmoid `a(1 - a)`, tanh `1 - a²`.
    func backward(
        gradient: UnsafeMutablePointer<Float>, output a: UnsafePointer<Float>, count: Int
    ) {
        backward(UnsafePointer(gradient), output: a, count: count, into: gradient)
    }

    /// Backward from `g` = dL/da into `dz` (which may be `g` itself), in one
    /// pass: each value is read before it is written.
    func backward(
        _ g: UnsafePointer<Float>, output a: UnsafePointer<Float>, count: Int, into dz: UnsafeMutablePointer<Float>
    ) {
        precondition(self != .softmax, "softmax is fused with the loss")
        switch self {
        case .linear, .softmax:
            if UnsafePointer(dz) != g { dz.update(from: g, count: count) }
        case .relu:
            // Eight lanes at a time: the scalar select compiles to an
            // unpredictable branch per element (~3 ns each).
            let whole = count - count % 8
            for i in stride(from: 0, to: whole, by: 8) {
                let values = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
                let live = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self) .> SIMD8<Float>(repeating: 0)
                UnsafeMutableRawPointer(dz + i).storeBytes(
                    of: SIMD8<Float>(repeating: 0).replacing(with: values, where: live), as: SIMD8<Float>.self)
            }
            for i in whole..<count { dz[i] = a[i] > 0 ? g[i] : 0 }
        case .sigmoid:
            for i in 0..<count { dz[i] = g[i] * (a[i] * (1 - a[i])) }
        case .tanh:
            for i in 0..<count { dz[i] = g[i] * (1 - a[i] * a[i]) }
        }
    }
}
