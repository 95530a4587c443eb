// Shapes: `N` examples, `I` inputs each; rows are row-major N×I.
//
// Examples hold their inputs in one of two forms:
//   features  N×I Float, fed to the model as they are
//   pixels    N×I UInt8 and an `InputScaling`; a pass converts each row to
//             floats as it copies it into its batch buffer (as Keras's
//             `Rescaling` / `Normalization` layers at a model's input do), so
//             no Float copy of the whole set ever exists
// `rows(_:)` takes a range of rows that shares the arrays (nothing is copied).

/// Examples (count × width inputs, row-major) with integer class labels:
/// float features, or pixels scaled as the model reads them.
public struct Examples: Sendable {
    /// Where the inputs live: this set's rows only (a slice of the arrays it shares).
    enum Inputs: Sendable {
        /// `count × width` floats, used as they are.
        case features(ArraySlice<Float>)
        /// `count × width` bytes, converted row by row when a pass reads them.
        case pixels(ArraySlice<UInt8>, PixelConversion)
    }

    let inputs: Inputs
    /// One class index per example, this set's rows only.
    let labelRows: ArraySlice<UInt8>
    /// Inputs per example.
    public let width: Int
    /// Number of examples.
    public var count: Int { labelRows.count }

    /// One class index per example (a copy: read it outside loops).
    public var labels: [UInt8] { Array(labelRows) }

    /// The `count × width` input features the model reads. For pixel-backed
    /// examples this converts every row into a new array — the Float copy of
    /// the set that the pixel form exists to avoid: use it on a few rows
    /// (`rows(_:)`) only.
    public var features: [Float] {
        switch inputs {
        case .features(let features):
            return Array(features)
        case .pixels(let pixels, let conversion):
            let (count, width) = (self.count, self.width)
            return [Float](unsafeUninitializedCapacity: pixels.count) { output, initialized in
                pixels.withUnsafeBufferPointer { pixels in
                    if let p = pixels.baseAddress, let x = output.baseAddress {
                        conversion.convert(rows: count, width: width, row: { p + $0 * width }, into: x)
                    }
                }
                initialized = pixels.count
            }
        }
    }

    /// Float features, used as they are. Throws `invalidArgument` unless
    /// `width > 0`, and `shapeMismatch` unless
    /// `features.count == labels.count × width`.
    public init(features: [Float], labels: [UInt8], width: Int) throws(EngineError) {
        try Self.checkShape(values: features.count, of: "features", labels: labels.count, width: width)
        inputs = .features(features[...])
        labelRows = labels[...]
        self.width = width
    }

    /// Pixels, converted to features row by row as passes read them, exactly
    /// as `scaling` prescribes (bit-identical to converting the whole set
    /// up front): `.scale` is `Float(p) / 255`, `.standardize`
    /// is `(Float(p) − mean[j]) / std[j]` for input j.
    ///
    /// Throws `invalidArgument` unless `width > 0`, `shapeMismatch` unless
    /// `pixels.count == labels.count × width`, and for `.standardize`
    /// `shapeMismatch` unless mean and std have `width` entries each and
    /// `invalidArgument` unless every mean is finite and every std finite and > 0.
    public init(pixels: [UInt8], labels: [UInt8], width: Int, scaling: InputScaling) throws(EngineError) {
        try Self.checkShape(values: pixels.count, of: "pixels", labels: labels.count, width: width)
        inputs = .pixels(pixels[...], try PixelConversion(scaling, width: width))
        labelRows = labels[...]
        self.width = width
    }

    private init(inputs: Inputs, labelRows: ArraySlice<UInt8>, width: Int) {
        self.inputs = inputs
        self.labelRows = labelRows
        self.width = width
    }

    private static func checkShape(values: Int, of what: String, labels: Int, width: Int) throws(EngineError) {
        guard width > 0 else {
            throw .invalidArgument("the feature width must be a positive integer. Received: width=\(width)")
        }
        let (expected, overflow) = labels.multipliedReportingOverflow(by: width)
        guard !overflow, values == expected else {
            throw .shapeMismatch("\(labels) labels of width \(width) need \(labels) × \(width) \(what), got \(values)")
        }
    }

    /// Keras's `validation_split`: the first ⌊count·(1 − fraction)⌋ rows
    /// train and the rest validate, taken before any shuffling (60,000 × 0.2:
    /// 48,000 and 12,000). Views of these arrays, nothing copied; a fraction
    /// of 0 gives no validation part. Throws `invalidArgument` for a fraction
    /// outside [0, 1) or one that leaves either part empty.
    public func splitForValidation(_ fraction: Double) throws(EngineError) -> (training: Examples, validation: Examples?) {
        let splitAt = try Self.validationSplitIndex(count: count, fraction: fraction)
        return (try rows(0..<splitAt), splitAt < count ? try rows(splitAt..<count) : nil)
    }

    /// Where Keras's `validation_split` cuts `count` rows.
    static func validationSplitIndex(count: Int, fraction: Double) throws(EngineError) -> Int {
        guard fraction >= 0, fraction < 1 else {
            throw .invalidArgument("validation_split must be in [0, 1). Received: validation_split=\(fraction)")
        }
        let splitAt = Int((Double(count) * (1 - fraction)).rounded(.down))
        guard splitAt > 0, fraction == 0 || splitAt < count else {
            throw .invalidArgument(
                "validation_split=\(fraction) leaves \(splitAt) of \(count) examples for training and "
                    + "\(count - splitAt) for validation; both need at least one")
        }
        return splitAt
    }

    /// Examples `range` of these (0-based, `count` at most), sharing their
    /// arrays: nothing is copied, whatever the range. E.g. Keras's
    /// validation part `rows(splitAt..<count)`, or one row `rows(i..<i + 1)`
    /// for `Model.predict(_:)`. Throws `invalidArgument` for a range
    /// outside `0...count`.
    public func rows(_ range: Range<Int>) throws(EngineError) -> Examples {
        guard range.lowerBound >= 0, range.upperBound <= count else {
            throw .invalidArgument(
                "rows \(range.lowerBound)..<\(range.upperBound) are outside the \(count) examples (0..<\(count))")
        }
        let labels = labelRows.startIndex
        let slice: Inputs
        switch inputs {
        case .features(let x):
            slice = .features(x[(x.startIndex + range.lowerBound * width)..<(x.startIndex + range.upperBound * width)])
        case .pixels(let p, let conversion):
            slice = .pixels(
                p[(p.startIndex + range.lowerBound * width)..<(p.startIndex + range.upperBound * width)], conversion)
        }
        return Examples(
            inputs: slice, labelRows: labelRows[(labels + range.lowerBound)..<(labels + range.upperBound)], width: width)
    }

    /// Checks the examples against a model: width equal to `inputWidth`,
    /// every label below `classes`.
    func check(inputWidth: Int, classes: Int, role: String) throws(EngineError) {
        guard width == inputWidth else {
            throw .shapeMismatch(
                "the model expects \(inputWidth) features per example, the \(role) data has \(width)")
        }
        if let bad = labelRows.first(where: { Int($0) >= classes }) {
            throw .invalidArgument(
                "the \(role) data has label \(bad), but the model's last layer has \(classes) units "
                    + "(labels must be 0...\(classes - 1))")
        }
    }
}

/// Input rows read in place: a pointer into an `Examples`' features or
/// pixels, valid only inside `Examples.withRows` (or the caller's own
/// `withUnsafeBufferPointer`).
struct InputRows {
    enum Source {
        case features(UnsafePointer<Float>)
        case pixels(UnsafePointer<UInt8>, PixelConversion)
    }

    let source: Source
    let count: Int
    let width: Int

    /// Whether a pass must convert these rows (into a batch buffer) to read them.
    var isPixels: Bool {
        if case .pixels = source { true } else { false }
    }

    /// Rows `range` of these rows, in place.
    func rows(_ range: Range<Int>) -> InputRows {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "rows \(range) out of 0..<\(count)")
        let offset = range.lowerBound * width
        switch source {
        case .features(let x): return InputRows(source: .features(x + offset), count: range.count, width: width)
        case .pixels(let p, let conversion):
            return InputRows(source: .pixels(p + offset, conversion), count: range.count, width: width)
        }
    }
}

/// Rows of an `Examples` read in place, inputs and labels, valid only
/// inside `Examples.withRows` (so a validation split copies nothing).
struct ExampleRows {
    let inputs: InputRows
    let labels: UnsafePointer<UInt8>
    var count: Int { inputs.count }
    var width: Int { inputs.width }

    /// Rows `range` of these rows, in place.
    func rows(_ range: Range<Int>) -> ExampleRows {
        ExampleRows(inputs: inputs.rows(range), labels: labels + range.lowerBound)
    }
}

extension Examples {
    /// Calls `body` with the rows in place. Must not be empty.
    func withRows<Result>(_ body: (ExampleRows) -> Result) -> Result {
        labelRows.withUnsafeBufferPointer { labels in
            guard let y = labels.baseAddress else { preconditionFailure("no rows to read") }
            let (count, width) = (self.count, self.width)
            switch inputs {
            case .features(let features):
                return features.withUnsafeBufferPointer { features in
                    guard let x = features.baseAddress else { preconditionFailure("no rows to read") }
                    return body(
                        ExampleRows(inputs: InputRows(source: .features(x), count: count, width: width), labels: y))
                }
            case .pixels(let pixels, let conversion):
                return pixels.withUnsafeBufferPointer { pixels in
                    guard let p = pixels.baseAddress else { preconditionFailure("no rows to read") }
                    return body(
                        ExampleRows(
                            inputs: InputRows(source: .pixels(p, conversion), count: count, width: width), labels: y))
                }
            }
        }
    }
}
