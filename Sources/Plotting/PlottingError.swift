/// Why a plot could not be built from the numbers it was given.
///
/// Every case carries the offending values so the message can echo them
/// back, Keras-style ("Received: ..."). Turned into text only by
/// ``description``.
public enum PlottingError: Error, Equatable, Sendable {
    /// An output name that is not a plain file-name stem.
    case invalidOutputName(String)
    /// A chart was asked for without any series.
    case noSeries
    /// A series without a single value.
    case emptySeries(label: String)
    /// No series holds a finite value, so there is nothing to draw.
    case noFiniteValues
    /// A picture-grid was asked for without any images.
    case noImages
    /// More images than one grid holds.
    case tooManyImages(count: Int, limit: Int)
    /// An image whose pixel count does not match its stated size.
    /// `index` is its position in the list, when it came from one.
    case wrongImageSize(index: Int?, pixelCount: Int, width: Int, height: Int)
    /// A confusion matrix that is empty or not square.
    case confusionMatrixNotSquare(rows: Int, columns: [Int])
    /// A negative count in a confusion matrix.
    case negativeCount(trueClass: Int, predictedClass: Int, count: Int)
    /// A confusion matrix whose counts add up to zero.
    case noSamples
    /// A kernel whose size is not `inputs * units`.
    case wrongKernelSize(count: Int, inputs: Int, units: Int)
    /// A Conv2D kernel whose size is not `kernelSize² * inputChannels * filters` (or a size that is not positive).
    case wrongFilterKernelSize(count: Int, kernelSize: Int, inputChannels: Int, filters: Int)
    /// Feature maps whose values do not match their stated size, or a layer without any.
    case wrongMapSize(layer: String, valueCount: Int, width: Int, height: Int)
    /// An empty list of class probabilities.
    case noProbabilities
    /// A terminal preview size too small to draw in.
    case invalidPreviewSize(columns: Int, lines: Int)
}

extension PlottingError: CustomStringConvertible {
    /// A one-line message for the user.
    public var description: String {
        switch self {
        case .invalidOutputName(let name):
            return "plot name must be letters, digits, '_' or '-' (at most 100). Received: '\(name)'"
        case .noSeries:
            return "nothing to plot: no series given"
        case .emptySeries(let label):
            return "series '\(label)' has no values"
        case .noFiniteValues:
            return "nothing to plot: every value is NaN or infinite"
        case .noImages:
            return "nothing to plot: no images given"
        case .tooManyImages(let count, let limit):
            return "at most \(limit) images fit in one plot. Received: \(count)"
        case .wrongImageSize(let index, let pixelCount, let width, let height):
            let which = index.map { "image \($0)" } ?? "image"
            return "\(which) must have \(width)x\(height) = \(width * height) pixels. Received: \(pixelCount)"
        case .confusionMatrixNotSquare(let rows, let columns):
            return "confusion matrix must be square with at least one class. Received: \(rows) rows of lengths \(columns)"
        case .negativeCount(let trueClass, let predictedClass, let count):
            return "confusion matrix count for true \(trueClass), predicted \(predictedClass) is negative. Received: \(count)"
        case .noSamples:
            return "confusion matrix counts add up to zero"
        case .wrongKernelSize(let count, let inputs, let units):
            return "kernel must have inputs * units = \(inputs) * \(units) = \(inputs * units) weights. Received: \(count)"
        case .wrongFilterKernelSize(let count, let size, let channels, let filters):
            return
                "convolution kernel must have \(size)x\(size)x\(channels)x\(filters) weights (kernel size, input channels, filters). Received: \(count)"
        case .wrongMapSize(let layer, let count, let width, let height):
            return "feature maps of \(layer) must be \(width)x\(height) each, at least one. Received: \(count) values"
        case .noProbabilities:
            return "nothing to plot: no class probabilities given"
        case .invalidPreviewSize(let columns, let lines):
            return "terminal preview needs at least 20 columns and 8 lines. Received: \(columns)x\(lines)"
        }
    }
}
