// NPY, NumPy's array file format (numpy/lib/format.py):
//
//   "\x93NUMPY", major, minor version bytes,
//   header length (UInt16 LE for version 1, UInt32 LE for versions 2 and 3),
//   a Python dict literal, e.g. {'descr': '|u1', 'fortran_order': False, 'shape': (60000, 28, 28), }
//   padded with spaces and a newline, then the raw array data.
//
// Only what MNIST needs is supported: integer element types, C order.

/// An NPY array's element type, parsed from its `descr` (e.g. '<i8', '|u1').
struct NPYElementType: Equatable {
    /// 'u' unsigned integer, 'i' signed integer, 'f' float, 'b' bool, ...
    var kind: Character
    /// Bytes per element.
    var size: Int
    /// Whether multi-byte elements are big-endian ('>').
    var bigEndian: Bool
    /// The descr string as found, for messages.
    var descr: String

    /// Parses "<byte order><kind><size>"; nil for anything else (structured
    /// dtypes, strings with no size, ...).
    init?(descr: String) {
        let characters = Array(descr)
        guard characters.count >= 3, "<>|=".contains(characters[0]), let size = Int(String(characters[2...])),
            size > 0
        else { return nil }
        self.kind = characters[1]
        self.size = size
        self.bigEndian = characters[0] == ">"
        self.descr = descr
    }

    /// Whether this is an integer type NumPy can store in 1, 2, 4 or 8 bytes.
    var isInteger: Bool { (kind == "u" || kind == "i") && [1, 2, 4, 8].contains(size) }

    /// Whether the number in the descr is the element's size in bytes: true
    /// for numbers (u, i, f, c) and bools (b); false for strings ('<U1' is 4
    /// bytes a character), records, objects and dates, which dnb never reads.
    var isNumeric: Bool { "uifcb".contains(kind) }

    /// What a non-numeric kind holds, for messages.
    var kindName: String {
        switch kind {
        case "U": return "Unicode strings"
        case "S", "a": return "byte strings"
        case "V": return "raw records"
        case "O": return "Python objects"
        case "M", "m": return "dates or times"
        default: return "kind '\(kind)'"
        }
    }
}

/// A parsed NPY array: its header, and where its data lies.
struct NPYArray {
    var elementType: NPYElementType
    var shape: [Int]
    /// The whole NPY file; the array's data is `bytes[dataOffset...]`.
    var bytes: [UInt8]
    var dataOffset: Int

    /// Number of elements, the product of `shape` (1 for a scalar).
    var elementCount: Int { shape.reduce(1, *) }

    /// The shape as Python prints it: (60000, 28, 28), (60000,), ().
    var shapeText: String { pythonShape(shape) }
}

/// `shape` as Python prints a tuple: (60000, 28, 28), (60000,), ().
func pythonShape(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

/// Longest NPY header accepted: 64 KiB (NumPy itself refuses more than 10,000 bytes by default).
let maximumNPYHeaderLength = 1 << 16

/// Parses an NPY file's header and checks that the data length matches the
/// shape, before anything is copied.
///
/// - Parameters:
///   - name: the file named in errors; `array` names the array inside it.
/// - Throws: `.malformed` for a bad magic or version, an unparsable header,
///   an unsupported element type, Fortran order, or a data length that does
///   not match shape × element size.
func parseNPY(_ bytes: [UInt8], name: String, array: String) throws(DatasetError) -> NPYArray {
    func fail(_ reason: String) -> DatasetError { .malformed(file: name, reason: "array '\(array)': \(reason)") }

    let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // "\x93NUMPY"
    guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
        throw fail("not an NPY array (no \\x93NUMPY magic)")
    }
    let major = bytes[6]
    let headerLength: Int
    let headerStart: Int
    switch major {
    case 1:
        headerLength = Int(bytes.littleEndianUInt16(at: 8))
        headerStart = 10
    case 2, 3:
        guard bytes.count >= 12 else { throw fail("NPY header is cut short") }
        headerLength = Int(bytes.littleEndianUInt32(at: 8))
        headerStart = 12
    default:
        throw fail("NPY format version \(major).\(bytes[7]) is not supported (only 1, 2 and 3)")
    }
    guard headerLength <= maximumNPYHeaderLength else {
        throw fail("NPY header claims \(headerLength) bytes; at most \(maximumNPYHeaderLength) are accepted")
    }
    guard headerLength <= bytes.count - headerStart else {
        throw fail("NPY header claims \(headerLength) bytes, but only \(bytes.count - headerStart) follow")
    }
    let dataOffset = headerStart + headerLength
    let headerText = String(decoding: bytes[headerStart..<dataOffset], as: UTF8.self)

    var parser = PythonLiteralParser(headerText)
    guard let header = parser.parseHeaderDict() else {
        if parser.isTooDeep {
            throw fail(
                "the NPY header nests tuples or lists more than \(PythonLiteralParser.maximumDepth) deep "
                    + "(NumPy writes a flat shape tuple); the file is damaged or not from NumPy")
        }
        throw fail("cannot parse the NPY header \(headerText.trimmingSpaces().clipped())")
    }
    guard case .string(let descr)? = header["descr"] else {
        throw fail("the NPY header has no 'descr' string (structured arrays are not supported)")
    }
    // The element type comes before any length check: for strings the size
    // in the descr is not a byte count, and the length message would mislead.
    guard let elementType = NPYElementType(descr: descr) else {
        throw fail("unsupported dtype '\(descr)'; dnb reads integer labels and uint8 images")
    }
    guard elementType.isNumeric else {
        throw fail("unsupported dtype '\(descr)' (\(elementType.kindName)); dnb reads integer labels and uint8 images")
    }
    guard case .bool(let fortranOrder)? = header["fortran_order"] else {
        throw fail("the NPY header has no 'fortran_order'")
    }
    guard !fortranOrder else {
        throw fail("the array is stored in Fortran (column-major) order; save it in C order (np.ascontiguousarray)")
    }
    guard case .tuple(let dimensions)? = header["shape"] else {
        throw fail("the NPY header has no 'shape' tuple")
    }
    var shape: [Int] = []
    for dimension in dimensions {
        guard case .int(let value) = dimension, value >= 0 else {
            throw fail("the NPY header's shape in \(headerText.trimmingSpaces().clipped()) is not a tuple of sizes")
        }
        shape.append(value)
    }

    // Elements × size with overflow checks, against what the file holds.
    var needed = elementType.size
    var overflow = false
    for dimension in shape {
        let (product, over) = needed.multipliedReportingOverflow(by: dimension)
        needed = product
        overflow = overflow || over
    }
    let available = bytes.count - dataOffset
    guard !overflow, needed == available else {
        throw fail(
            "shape \(pythonShape(shape)) of '\(descr)' needs \(overflow ? "more" : "\(needed)") bytes of data, "
                + "the array has \(available)")
    }
    return NPYArray(elementType: elementType, shape: shape, bytes: bytes, dataOffset: dataOffset)
}

/// A value in an NPY header: the subset of Python literals NumPy writes.
enum PythonLiteral: Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
}

/// A recursive-descent parser for NPY header dicts: string keys; values are
/// strings, integers (with Python 2's optional `L`), True/False/None, and
/// tuples or lists of those, nested at most `maximumDepth` deep (so a
/// 64 KiB header of `(((...` is an error, not a stack overflow).
struct PythonLiteralParser {
    /// Deepest nesting of tuples and lists accepted: 32 (a shape is one
    /// tuple; structured dtypes, which dnb refuses anyway, nest a few levels).
    static let maximumDepth = 32

    private let characters: [Character]
    private var position = 0
    /// Set when parsing stopped because tuples or lists nest deeper than `maximumDepth`.
    private(set) var isTooDeep = false

    init(_ text: String) { characters = Array(text) }

    /// Parses `{ 'key': value, ... }` followed only by whitespace; nil on any error.
    mutating func parseHeaderDict() -> [String: PythonLiteral]? {
        guard consume("{") else { return nil }
        var result: [String: PythonLiteral] = [:]
        while !consume("}") {
            guard case .string(let key)? = parseValue(depth: 0), consume(":"), let value = parseValue(depth: 0) else {
                return nil
            }
            result[key] = value
            if !consume(",") {
                guard consume("}") else { return nil }
                break
            }
        }
        skipSpaces()
        return position == characters.count ? result : nil
    }

    /// One value; `depth` counts the tuples and lists around it.
    private mutating func parseValue(depth: Int) -> PythonLiteral? {
        skipSpaces()
        guard position < characters.count else { return nil }
        let first = characters[position]
        if first == "'" || first == "\"" {
            position += 1
            let start = position
            while position < characters.count, characters[position] != first { position += 1 }
            guard position < characters.count else { return nil }
            let text = String(characters[start..<position])
            position += 1
            return .string(text)
        }
        if first == "(" || first == "[" {
            guard depth < Self.maximumDepth else {
                isTooDeep = true
                return nil
            }
            let close: Character = first == "(" ? ")" : "]"
            position += 1
            var items: [PythonLiteral] = []
            while !consume(close) {
                guard let item = parseValue(depth: depth + 1) else { return nil }
                items.append(item)
                if !consume(",") {
                    guard consume(close) else { return nil }
                    break
                }
            }
            return .tuple(items)
        }
        if first.isNumber || first == "-" {
            let start = position
            position += 1
            while position < characters.count, characters[position].isNumber { position += 1 }
            guard let value = Int(String(characters[start..<position])) else { return nil }
            if position < characters.count, characters[position] == "L" { position += 1 }
            return .int(value)
        }
        for (word, value) in [("True", PythonLiteral.bool(true)), ("False", .bool(false)), ("None", .none)]
        where characters[position...].starts(with: word) {
            position += word.count
            return value
        }
        return nil
    }

    /// Skips spaces, then consumes `character` if it is next.
    private mutating func consume(_ character: Character) -> Bool {
        skipSpaces()
        guard position < characters.count, characters[position] == character else { return false }
        position += 1
        return true
    }

    private mutating func skipSpaces() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }
}

extension String {
    /// Without leading and trailing whitespace (no Foundation needed).
    func trimmingSpaces() -> String {
        let characters = Array(self)
        guard let first = characters.firstIndex(where: { !$0.isWhitespace }),
            let last = characters.lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(characters[first...last])
    }

    /// At most `limit` characters, with "..." when cut (for quoting file contents in errors).
    func clipped(_ limit: Int = 120) -> String {
        count <= limit ? self : String(prefix(limit)) + "..."
    }
}
