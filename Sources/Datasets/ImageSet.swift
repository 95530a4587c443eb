/// A labelled set of grey images.
///
/// `pixels` is count × rows × cols bytes, row-major (image `i` starts at
/// `i * rows * cols`); `labels[i]` is the digit drawn in image `i`.
public struct ImageSet: Sendable, Equatable {
    public var rows: Int
    public var cols: Int
    public var pixels: [UInt8]
    public var labels: [UInt8]

    /// Number of images (= `labels.count`).
    public var count: Int { labels.count }

    /// Pixels per image, `rows * cols` (784 for MNIST): the width of a flattened image.
    public var width: Int { rows * cols }

    public init(rows: Int, cols: Int, pixels: [UInt8], labels: [UInt8]) {
        self.rows = rows
        self.cols = cols
        self.pixels = pixels
        self.labels = labels
    }

    /// The `rows * cols` pixels of image `index`, row-major.
    ///
    /// - Precondition: `0 <= index < count`.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        precondition(index >= 0 && index < count, "image index \(index) out of 0..<\(count)")
        return pixels[index * width..<(index + 1) * width]
    }

    /// How many images carry each label 0...9 (`classCounts[d]` for digit `d`).
    /// Labels above 9 (which no reader produces) are not counted.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: 10)
        for label in labels where label < 10 {
            counts[Int(label)] += 1
        }
        return counts
    }

    /// Smallest and largest pixel value; `(0, 0)` when there are no pixels.
    public var pixelRange: (min: UInt8, max: UInt8) {
        pixels.withUnsafeBufferPointer { buffer in
            guard var low = buffer.first else { return (0, 0) }
            var high = low
            for value in buffer {
                low = Swift.min(low, value)
                high = Swift.max(high, value)
            }
            return (low, high)
        }
    }

    /// The first `count - n` images, and the last `n`.
    ///
    /// Keras's `validation_split`: the validation set is the **last**
    /// `validationFraction` of the arrays, taken before any shuffling, with
    /// `split_at = floor(count * (1 - validationFraction))`; 60000 × 0.2 gives
    /// 48,000 training and 12,000 validation images. A fraction of 0 gives an
    /// empty validation set.
    ///
    /// - Throws: `.invalidArgument` when the fraction is outside [0, 1), or
    ///   (like Keras) when a non-zero fraction leaves either part empty.
    public func split(validationFraction: Double) throws(DatasetError) -> (train: ImageSet, validation: ImageSet) {
        guard validationFraction >= 0, validationFraction < 1 else {
            throw .invalidArgument(
                name: "validation_split", value: "\(validationFraction)",
                expected: "a fraction in [0, 1)")
        }
        let splitAt = Int((Double(count) * (1.0 - validationFraction)).rounded(.down))
        if validationFraction > 0, splitAt == 0 || splitAt == count {
            throw .invalidArgument(
                name: "validation_split", value: "\(validationFraction)",
                expected: "a fraction that leaves at least one training and one validation "
                    + "image out of \(count)")
        }
        return (subset(0..<splitAt), subset(splitAt..<count))
    }

    /// The images and labels with indices in `range`, in order.
    func subset(_ range: Range<Int>) -> ImageSet {
        ImageSet(
            rows: rows, cols: cols,
            pixels: Array(pixels[range.lowerBound * width..<range.upperBound * width]),
            labels: Array(labels[range]))
    }
}

/// MNIST's two splits and where they came from.
public struct TrainTestData: Sendable {
    public var train: ImageSet
    public var test: ImageSet
    /// Human-readable origin, e.g. "../shared/data/mnist (IDX, gzip)".
    public var origin: String

    public init(train: ImageSet, test: ImageSet, origin: String) {
        self.train = train
        self.test = test
        self.origin = origin
    }
}
