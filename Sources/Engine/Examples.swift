// Shapes: `N` examples, `I` features each; features are row-major N×I.

/// Flat features (count × width, row-major) with integer class labels.
public struct Examples: Sendable {
    /// `count × width` values, one example per row.
    public var features: [Float]
    /// One class index per example.
    public var labels: [UInt8]
    /// Features per example.
    public var width: Int
    /// Number of examples (`labels.count`).
    public var count: Int { labels.count }

    /// Throws `invalidArgument` unless `width > 0`, and `shapeMismatch`
    /// unless `features.count == labels.count × width`.
    public init(features: [Float], labels: [UInt8], width: Int) throws(EngineError) {
        guard width > 0 else {
            throw .invalidArgument("the feature width must be a positive integer. Received: width=\(width)")
        }
        let (expected, overflow) = labels.count.multipliedReportingOverflow(by: width)
        guard !overflow, features.count == expected else {
            throw .shapeMismatch(
                "\(labels.count) labels of width \(width) need \(labels.count) × \(width) features, "
                    + "got \(features.count)")
        }
        self.features = features
        self.labels = labels
        self.width = width
    }

    /// Re-checks the invariants (the stored properties are mutable) against a
    /// model: width equal to `inputWidth`, every label below `classes`.
    func check(inputWidth: Int, classes: Int, role: String) throws(EngineError) {
        guard width == inputWidth else {
            throw .shapeMismatch(
                "the model expects \(inputWidth) features per example, the \(role) data has \(width)")
        }
        let (expected, overflow) = labels.count.multipliedReportingOverflow(by: width)
        guard !overflow, features.count == expected else {
            throw .shapeMismatch(
                "the \(role) data has \(features.count) features for \(labels.count) examples of width \(width)")
        }
        if let bad = labels.first(where: { Int($0) >= classes }) {
            throw .invalidArgument(
                "the \(role) data has label \(bad), but the model's last layer has \(classes) units "
                    + "(labels must be 0...\(classes - 1))")
        }
    }
}

/// Rows of an `Examples` read in place: pointers into its arrays, valid
/// only inside `Examples.withRows` (so a validation split copies nothing).
struct ExampleRows {
    let features: UnsafePointer<Float>
    let labels: UnsafePointer<UInt8>
    let count: Int
    let width: Int

    /// Rows `range` of these rows, in place.
    func rows(_ range: Range<Int>) -> ExampleRows {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "rows \(range) out of 0..<\(count)")
        return ExampleRows(
            features: features + range.lowerBound * width, labels: labels + range.lowerBound, count: range.count,
            width: width)
    }
}

extension Examples {
    /// Calls `body` with the rows in place. Must not be empty.
    func withRows<Result>(_ body: (ExampleRows) -> Result) -> Result {
        features.withUnsafeBufferPointer { features in
            labels.withUnsafeBufferPointer { labels in
                guard let x = features.baseAddress, let y = labels.baseAddress else {
                    preconditionFailure("no rows to read")
                }
                return body(ExampleRows(features: x, labels: y, count: count, width: width))
            }
        }
    }
}
