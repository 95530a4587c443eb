// Harnesses: one per entry point that reads bytes or text a user can hand
// to dnb. Each calls the same public function the command calls (never a
// copy of it) and reports whether the input was accepted or refused; a
// crash, a hang or a runaway allocation is the finding. libFuzzer drives
// them through Fuzz/Entry (`make fuzz`); the test suite replays the seed
// corpora and every kept finding through them without sanitizers.

/// What a harness made of one input.
public enum FuzzOutcome: Equatable, Sendable {
    /// The reader accepted the input.
    case accepted
    /// The reader refused it with this message (the one a user would see).
    case refused(String)
}

/// One harness: a name (`make fuzz` runs `FUZZ_TARGETS` by name), the
/// longest input libFuzzer should try (`-max_len`: the format's own limit,
/// or 1 MiB where that limit is gigabytes), and the function.
public struct FuzzTarget: Sendable {
    public var name: String
    public var summary: String
    /// libFuzzer's `-max_len` for this harness.
    public var maximumLength: Int
    /// The most bytes an `RPT!` input may expand to (see `FuzzInput.expanded`):
    /// a little over what reaches the format's limits, since every byte of
    /// it costs time on every run of a mutated count.
    public var maximumExpandedLength: Int
    /// libFuzzer's `-dict` file under Fuzz/Dictionaries, if any.
    public var dictionary: String?
    public var run: @Sendable ([UInt8]) -> FuzzOutcome

    /// Runs the harness on `input`, expanding an `RPT!` input first.
    public func callAsFunction(_ input: [UInt8]) -> FuzzOutcome {
        run(FuzzInput.expanded(input, limit: maximumExpandedLength))
    }
}

/// Inputs that are small for the fuzzer but large or deep for the reader.
///
/// A coverage-guided fuzzer gains no new coverage from the 10,000th `(` or
/// the 20,000th line, so it never builds such inputs by itself. An input
/// that starts with `RPT!` is therefore expanded before the harness sees it:
///
///     "RPT!", count (UInt32 LE), prefix length (UInt16 LE), unit length (UInt16 LE),
///     prefix, unit, suffix (the rest)
///
/// becomes prefix + unit × count + suffix, cut at the harness's limit. Seeds
/// in this form (`Fuzz/make-seeds.py`) give every harness deep-nesting and
/// many-repetitions inputs the fuzzer then mutates.
public enum FuzzInput {
    static let magic: [UInt8] = Array("RPT!".utf8)

    public static func expanded(_ input: [UInt8], limit: Int) -> [UInt8] {
        let headerSize = 12
        guard input.count >= headerSize, input.starts(with: magic) else { return input }
        func number(_ at: Int, _ bytes: Int) -> Int {
            (0..<bytes).reduce(0) { $0 | Int(input[at + $1]) << (8 * $1) }
        }
        let count = number(4, 4), prefixLength = number(8, 2), unitLength = number(10, 2)
        guard headerSize + prefixLength + unitLength <= input.count else { return input }
        let unitStart = headerSize + prefixLength
        let prefix = input[headerSize..<unitStart]
        let unit = input[unitStart..<unitStart + unitLength]
        let suffix = input[(unitStart + unitLength)...]
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, prefix.count + unit.count * min(count, limit) + suffix.count))
        output += prefix.prefix(limit)
        if !unit.isEmpty {
            // By doubling: log2(count) appends, not one per unit (this runs on every input).
            var remaining = min(count, max(0, limit - output.count) / unit.count)
            var block = Array(unit)
            while remaining > 0 {
                if remaining & 1 == 1 { output += block }
                remaining >>= 1
                if remaining > 0 { block += block }
            }
        }
        output += suffix.prefix(max(0, limit - output.count))
        return output
    }
}

/// Every harness, by name.
public enum FuzzTargets {
    public static let all: [FuzzTarget] = [
        idx, gzip, npy, npz, picture, modelFile, modelJSON, kerasConfig, kerasArchive, command, notebook, ipynb,
        jupyterWire,
    ]

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
