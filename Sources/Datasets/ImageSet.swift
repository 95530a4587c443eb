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
