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
    /// The learning rate of every step, evaluated at the optimizer's
    /// iterations (0-based, before the update) in place of the optimizer's
    /// own rate; nil (the default) keeps the optimizer's rate.
    public var schedule: LearningRateSchedule?
    /// Keras 3's decoupled weight decay: before each update every parameter
    /// gets `p -= p · weightDecay · rate` (see `WeightDecay`). Default 0: none.
    public var weightDecay: Float
    /// CategoricalCrossentropy's label smoothing of the training loss: the
    /// targets become `onehot · (1 − s) + s / classes`. Default 0: none.
    public var labelSmoothing: Float

    public init(
        epochs: Int = 1, batchSize: Int = 32, shuffle: Bool = true, seed: UInt64 = 1,
        augmentation: Augmentation? = nil, schedule: LearningRateSchedule? = nil, weightDecay: Float = 0,
        labelSmoothing: Float = 0
    ) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.augmentation = augmentation
        self.schedule = schedule
        self.weightDecay = weightDecay
        self.labelSmoothing = labelSmoothing
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
        try schedule?.validate()
        guard weightDecay.isFinite, weightDecay >= 0 else {
            throw .invalidArgument("weight_decay must be ≥ 0. Received: weight_decay=\(weightDecay)")
        }
        guard labelSmoothing >= 0, labelSmoothing <= 1 else {
            throw .invalidArgument("label_smoothing must be in [0, 1]. Received: label_smoothing=\(labelSmoothing)")
        }
    }

    /// The rate of the update after `iterations` updates: the schedule's, or `optimizer`'s own.
    func learningRate(of optimizer: Optimizer, afterIterations iterations: Int) -> Float {
        schedule?.rate(at: iterations) ?? optimizer.learningRate
    }
}
