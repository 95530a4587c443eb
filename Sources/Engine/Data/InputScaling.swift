/// How pixels become the model's input features: stored in a model file,
/// and applied row by row to pixel-backed `Examples` and
/// `Model.predict(pixels:count:scaling:)`.
///
/// The one input-scaling concept: `normalize` computes it, the engine
/// applies it (see `PixelConversion`), and model files store it.
///
/// Images are flattened to `width` features each (784 for MNIST), row-major,
/// as Keras's `x.reshape(-1, 784).astype("float32")` followed by the
/// transform below.
public enum InputScaling: Equatable, Sendable {
    /// x / 255, into [0, 1].
    case scale
    /// (x - mean[j]) / std[j] per feature j, with the training set's statistics.
    case standardize(mean: [Float], std: [Float])

    /// The name stored in the model file's metadata: `scale` or `standardize`.
    public var name: String {
        switch self {
        case .scale: "scale"
        case .standardize: "standardize"
        }
    }

    /// Per-feature statistics of `pixels` (count × `width`, row-major).
    ///
    /// mean[j] = Σ x[i][j] / count; std[j] = sqrt(Σ (x[i][j] - mean[j])² / count)
    /// (the population standard deviation, NumPy's default), computed
    /// exactly from integer sums. A feature with std < 1e-6 (a pixel that is
    /// the same in every image, like MNIST's corners) gets std 1, so it maps
    /// to 0 instead of dividing by zero. No images gives mean 0, std 1.
    ///
    /// - Precondition: `width > 0` and `pixels.count` is a multiple of `width`.
    public static func standardizing(_ pixels: [UInt8], width: Int) -> InputScaling {
        precondition(width > 0 && pixels.count % width == 0, "pixels.count \(pixels.count) is not a multiple of width \(width)")
        let count = pixels.count / width
        guard count > 0 else {
            return .standardize(mean: [Float](repeating: 0, count: width), std: [Float](repeating: 1, count: width))
        }
        // Σx and Σx² per feature fit in Int64 for up to 2^47 images.
        var sums = [Int64](repeating: 0, count: width)
        var squares = [Int64](repeating: 0, count: width)
        pixels.withUnsafeBufferPointer { input in
            sums.withUnsafeMutableBufferPointer { sum in
                squares.withUnsafeMutableBufferPointer { square in
                    for image in 0..<count {
                        let row = image * width
                        for j in 0..<width {
                            let x = Int64(input[row + j])
                            sum[j] += x
                            square[j] += x * x
                        }
                    }
                }
            }
        }
        var mean = [Float](repeating: 0, count: width)
        var std = [Float](repeating: 1, count: width)
        let n = Double(count)
        for j in 0..<width {
            // Population variance = (n Σx² - (Σx)²) / n², exact in integers up to the division.
            let numerator = Double(Int64(count) * squares[j] - sums[j] * sums[j])
            let deviation = (max(numerator, 0) / (n * n)).squareRoot()
            mean[j] = Float(Double(sums[j]) / n)
            std[j] = deviation < 1e-6 ? 1 : Float(deviation)
        }
        return .standardize(mean: mean, std: std)
    }
}
