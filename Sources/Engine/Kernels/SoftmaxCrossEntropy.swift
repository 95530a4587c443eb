// The output layer's softmax fused with categorical cross-entropy on integer
// labels, the way Keras computes it from logits.
//
// Shapes: `N` batch rows, `O` classes (the last layer's units). `z` is the
// row-major N×O product x·W of the last layer, bias not yet added.
//
// Per row, with y its label and m = max_j z_j:
//   p_j  = exp(z_j - m) / s,          s = Σ_j exp(z_j - m)
//   loss = log(s) - (z_y - m)         (= -log p_y, stable for tiny p_y)
//   dL/dz_j = (p_j - [j == y]) / N    (gradient of the batch MEAN loss)
//
// With label smoothing s (CategoricalCrossentropy's), the target is
// t_j = s/O off the label and (1 − s) + s/O on it (Floats), and
//   loss = log(s) - Σ_j t_j·(z_j - m)  (Double, j ascending; Σ t = 1)
//   dL/dz_j = (p_j - t_j) / N
// s = 0 takes the unsmoothed lines above, bit for bit.

enum SoftmaxCrossEntropy {
    /// Loss summed over the rows (natural log) and the number of rows whose
    /// argmax (first maximum) equals the label.
    struct Totals {
        var loss: Double = 0
        var correct: Int = 0
    }

    /// Softmax only: `z ← softmax(z + b)` row by row.
    static func forward(
        _ z: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, classes: Int
    ) {
        for r in 0..<rows {
            let row = z + r * classes
            var m = -Float.infinity
            for j in 0..<classes {
                row[j] += bias[j]
                m = max(m, row[j])
            }
            var s: Float = 0
            for j in 0..<classes {
                let e = ElementaryFunctions.exp(row[j] - m)
                row[j] = e
                s += e
            }
            let inverse = 1 / s
            for j in 0..<classes { row[j] *= inverse }
        }
    }

    /// Forward and, when `gradientScale` is given, backward in one pass.
    /// The rows' losses are added to `start`'s, rows ascending.
    ///
    /// Adds the bias, applies softmax, sums the loss and counts correct
    /// argmaxes; then, if `gradientScale` (normally `1/N`) is non-nil,
    /// overwrites `z` with `dL/dz = (p - onehot(y)) · gradientScale`;
    /// otherwise `z` holds the probabilities.
    /// Labels must be `< classes` (checked by the caller).
    static func forwardLoss(
        _ z: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>,
        labels: UnsafePointer<UInt8>, rows: Int, classes: Int, gradientScale: Float?,
        startingFrom start: Totals = Totals(), labelSmoothing: Float = 0
    ) -> Totals {
        var totals = start
        for r in 0..<rows {
            let row = rowLoss(
                z + r * classes, bias: bias, label: Int(labels[r]), classes: classes, gradientScale: gradientScale,
                labelSmoothing: labelSmoothing)
            totals.loss += row.loss
            if row.correct { totals.correct += 1 }
        }
        return totals
    }

    /// `forwardLoss` of one row: its loss `log(s) − (z_y − m)` (smoothed:
    /// `log(s) − Σ_j t_j·(z_j − m)`) and whether its argmax (the first
    /// maximum) is the label.
    @inline(__always)
    static func rowLoss(
        _ row: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, label y: Int, classes: Int,
        gradientScale: Float?, labelSmoothing: Float = 0
    ) -> (loss: Double, correct: Bool) {
        var m = -Float.infinity
        for j in 0..<classes {
            row[j] += bias[j]
            m = max(m, row[j])
        }
        let shiftedTarget = row[y] - m
        let smoothing = labelSmoothing > 0 ? smoothedTargets(labelSmoothing, classes: classes) : nil
        var weightedShift = 0.0
        if let smoothing {
            for j in 0..<classes { weightedShift += Double(j == y ? smoothing.on : smoothing.off) * Double(row[j] - m) }
        }
        var s: Float = 0
        for j in 0..<classes {
            let e = ElementaryFunctions.exp(row[j] - m)
            row[j] = e
            s += e
        }
        let inverse = 1 / s
        var best = 0
        var bestValue = -Float.infinity
        for j in 0..<classes {
            let p = row[j] * inverse
            row[j] = p
            if p > bestValue {
                bestValue = p
                best = j
            }
        }
        if let scale = gradientScale {
            if let smoothing {
                for j in 0..<classes { row[j] -= j == y ? smoothing.on : smoothing.off }
            } else {
                row[y] -= 1
            }
            for j in 0..<classes { row[j] *= scale }
        }
        guard smoothing != nil else { return (ElementaryFunctions.log(Double(s)) - Double(shiftedTarget), best == y) }
        return (ElementaryFunctions.log(Double(s)) - weightedShift, best == y)
    }

    /// Smoothing `s`'s targets: `off = s / classes` for every class but the
    /// label, `on = (1 − s) + off` for the label (Keras's y·(1 − s) + s/classes).
    @inline(__always)
    static func smoothedTargets(_ smoothing: Float, classes: Int) -> (on: Float, off: Float) {
        let off = smoothing / Float(classes)
        return ((1 - smoothing) + off, off)
    }
}
