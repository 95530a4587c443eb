/// How `Model.fit` trains (Keras `fit` arguments).
public struct FitConfiguration: Sendable {
    /// Passes over the training data, at least 1. Default 1.
    public var epochs: Int
    /// Examples per gradient step, at least 1; the last batch of an epoch may
    /// be smaller (steps = ⌈count / batchSize⌉). Default 32.
    public var batchSize: Int
    /// Reshuffle the training order every epoch. Default true.
    public var shuffle: Bool
    /// Seed of the shuffles; epoch k's order depends only on (seed, k). Default 1.
    public var seed: UInt64
    /// Random shifts, rotations and zoom of every training image, redrawn
    /// per batch from `seed` (see `Augmentation`); nil (the default) trains
    /// on the images as they are. Needs a model on an image input (`[H, W, C]`).
    public var augmentation: Augmentation?

    public init(
        epochs: Int = 1, batchSize: Int = 32, shuffle: Bool = true, seed: UInt64 = 1,
        augmentation: Augmentation? = nil
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.augmentation = augmentation
    }

    /// Throws `invalidArgument` echoing a bad `epochs` or `batchSize`.
    public func validate() throws(EngineError) {
        guard epochs >= 1 else {
            throw .invalidArgument("epochs must be at least 1. Received: epochs=\(epochs)")
        }
        guard batchSize >= 1 else {
            throw .invalidArgument("batch size must be at least 1. Received: batch_size=\(batchSize)")
        }
        try augmentation?.validate()
    }
}
