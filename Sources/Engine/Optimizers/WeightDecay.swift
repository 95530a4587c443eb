// Keras 3's decoupled weight decay (`weight_decay=` on any optimizer; Adam
// with it is AdamW): before each update step, every trainable variable
// gets `variable -= variable * weight_decay * learning_rate`, with the
// step's learning rate (a schedule's, when there is one). Biases included,
// as Keras excludes nothing unless told to.
//
// Shapes: `P` parameters; the pass runs over a range of them, each element
// on its own, so any split between threads gives the same bits.

enum WeightDecay {
    /// `p[i] = p[i] − (p[i]·decay)·rate` for i in `range` (the product in
    /// Keras's order: variable · weight_decay, then · learning_rate).
    static func apply(to p: UnsafeMutablePointer<Float>, range: Range<Int>, decay: Float, rate: Float) {
        for i in range { p[i] = p[i] - p[i] * decay * rate }
    }

    /// `apply` over `elements`, in pieces on as many threads as are allowed.
    static func apply(to p: UnsafeMutablePointer<Float>, elements: Range<Int>, decay: Float, rate: Float) {
        let start = elements.lowerBound
        ComputePool.shared.forEachPiece(of: elements.count, piece: 8192, cost: 2) { range in
            apply(to: p, range: (start + range.lowerBound)..<(start + range.upperBound), decay: decay, rate: rate)
        }
    }

    /// The same arithmetic over an array, for the reference path.
    static func apply(to p: inout [Float], decay: Float, rate: Float) {
        for i in p.indices { p[i] = p[i] - p[i] * decay * rate }
    }
}
