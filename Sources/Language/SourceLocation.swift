/// A 1-based line and column in a notebook or a typed line.
public struct SourceLocation: Equatable, Hashable, Sendable, Comparable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// Where a piece of text sits: its start and its length in characters on that line.
public struct SourceSpan: Equatable, Hashable, Sendable {
    public var start: SourceLocation
    public var length: Int

    public init(start: SourceLocation, length: Int) {
        self.start = start
        self.length = max(1, length)
    }

    public init(line: Int, column: Int, length: Int) {
        self.init(start: SourceLocation(line: line, column: column), length: length)
    }
}
