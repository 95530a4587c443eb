// What `Model.fit` reports: running figures after every batch, one record
// per finished epoch, and the overall result.

/// Running figures inside an epoch, reported after every batch.
public struct BatchProgress: Sendable {
    /// 1-based epoch of this fit call, and the number of epochs asked for.
    public var epoch: Int, epochs: Int
    /// 1-based step within the epoch, and the epoch's number of steps.
    public var step: Int, steps: Int
    /// Running, sample-weighted means over the epoch's batches so far (what
    /// Keras's progress bar shows), and seconds since the epoch started.
    public var loss: Double, accuracy: Double, elapsed: Double

    public init(epoch: Int, epochs: Int, step: Int, steps: Int, loss: Double, accuracy: Double, elapsed: Double) {
        self.epoch = epoch
        self.epochs = epochs
        self.step = step
        self.steps = steps
        self.loss = loss
        self.accuracy = accuracy
        self.elapsed = elapsed
    }
}

/// One epoch's figures, as Keras prints them.
public struct EpochMetrics: Sendable, Equatable {
    /// 1-based epoch of this fit call, the number asked for, and steps per epoch.
    public var epoch: Int, epochs: Int, steps: Int
    /// Wall time of the epoch, validation included.
    public var seconds: Double
    /// Sample-weighted means over the epoch's batches, each computed before
    /// that batch's update (Keras's `loss` and `accuracy`).
    public var loss: Double, accuracy: Double
    /// Loss and accuracy on the validation data after the epoch, if given.
    public var validationLoss: Double?, validationAccuracy: Double?
    /// The optimizer's learning rate at the end of the epoch, as Keras logs
    /// `learning_rate`: a schedule's rate at the steps taken so far, else the
    /// optimizer's own (before any change the epoch's control makes).
    public var learningRate: Double

    public init(
        epoch: Int, epochs: Int, steps: Int, seconds: Double, loss: Double, accuracy: Double,
        validationLoss: Double? = nil, validationAccuracy: Double? = nil, learningRate: Double = 0
    ) {
        self.learningRate = learningRate
        self.epoch = epoch
        self.epochs = epochs
        self.steps = steps
        self.seconds = seconds
        self.loss = loss
        self.accuracy = accuracy
        self.validationLoss = validationLoss
        self.validationAccuracy = validationAccuracy
    }
}

/// What the caller of `Model.fit` decides after each epoch (Keras's
/// callbacks setting `model.stop_training` and `optimizer.learning_rate`).
public struct EpochControl: Sendable, Equatable {
    /// Stop after this epoch.
    public var stop: Bool
    /// The optimizer's learning rate from the next step on (a schedule, if
    /// any, still sets each step's rate); nil keeps it.
    public var learningRate: Float?

    public init(stop: Bool = false, learningRate: Float? = nil) {
        self.stop = stop
        self.learningRate = learningRate
    }

    /// Go on unchanged.
    public static let proceed = EpochControl()
}

public struct FitResult: Sendable {
    /// The epochs that finished (a stopped epoch is not included).
    public var epochs: [EpochMetrics]
    /// Set when `onBatch` asked to stop: the epoch and step reached.
    public var stoppedAt: (epoch: Int, step: Int)?

    public init(epochs: [EpochMetrics], stoppedAt: (epoch: Int, step: Int)? = nil) {
        self.epochs = epochs
        self.stoppedAt = stoppedAt
    }
}
