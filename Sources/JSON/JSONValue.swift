// A small, strict JSON value (RFC 8259): dnb's one JSON path, for the model
// file's header and the Jupyter reports, so neither needs Foundation for it.

/// A JSON document: parsed strictly from UTF-8 bytes and serialised compactly.
///
/// Numbers keep their literal text, so a `Float` written with its shortest
/// round-trip spelling (`"\(value)"`, e.g. `0.001`, `1e-07`) reads back bit
/// for bit through `Float(text)`, never through a `Double` detour.
///
/// Parsing refuses: invalid UTF-8, anything after the value but whitespace,
/// control characters in strings, bad escapes, lone surrogates, leading
/// zeros, `NaN`/`Infinity`, duplicate object keys, and nesting deeper than
/// ``maximumDepth``.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// The number's literal text as written in the document.
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order; keys are unique.
    case object([Member])

    /// One `"key": value` pair of an object.
    public struct Member: Equatable, Sendable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// Where and why parsing stopped.
    public struct ParseError: Error, Equatable, Sendable {
        /// Byte offset into the parsed text.
        public var offset: Int
        public var reason: String
    }

    /// Objects and arrays nest at most this deep.
    public static let maximumDepth = 32

    /// The value of `key` when this is an object that has it.
    /// Element `index` of an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let items) = self, index >= 0, index < items.count else { return nil }
        return items[index]
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A number written as a plain integer (`-?digits`) that fits in `Int`.
    public var integer: Int? {
        guard case .number(let text) = self, !text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) else {
            return nil
        }
        return Int(text)
    }

    /// A number as the nearest `Float`, read from its literal text.
    public var float: Float? {
        guard case .number(let text) = self else { return nil }
        return Float(text)
    }

    /// The string's text.
    public var string: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }

    /// A number value spelling `value` exactly (shortest round-trip text).
    /// - Precondition: `value` is finite.
    public static func number(_ value: Float) -> JSONValue {
        precondition(value.isFinite, "JSON has no spelling for \(value)")
        return .number("\(value)")
    }

    /// A number value for an integer.
    public static func number(_ value: Int) -> JSONValue { .number("\(value)") }

    /// A Double in its shortest round-trip spelling.
    public static func number(_ value: Double) -> JSONValue { .number("\(value)") }

    /// The number as a Double (nil for anything else).
    public var double: Double? {
        guard case .number(let text) = self else { return nil }
        return Double(text)
    }

    // MARK: - Serialising

    /// Compact JSON text: no spaces, members in order, strings escaped
    /// (quote, backslash and control characters; other characters as UTF-8).
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let text): out += text
        case .string(let text): JSONValue.writeString(text, to: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                JSONValue.writeString(member.key, to: &out)
                out += ":"
                member.value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ text: String, to out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    // MARK: - Parsing

    /// Parses one JSON document from UTF-8 `bytes`.
    public static func parse(_ bytes: some Collection<UInt8>) throws(ParseError) -> JSONValue {
        let bytes = Array(bytes)
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw ParseError(offset: 0, reason: "the text is not valid UTF-8")
        }
        var parser = Parser(bytes: bytes)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw ParseError(offset: parser.position, reason: "unexpected text after the JSON value")
        }
        return value
    }

    /// A recursive-descent reader over validated UTF-8 bytes.
    private struct Parser {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        func fail(_ reason: String) -> ParseError { ParseError(offset: position, reason: reason) }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { position += 1 }
        }

        mutating func expect(_ literal: String, _ value: JSONValue) throws(ParseError) -> JSONValue {
            let utf8 = Array(literal.utf8)
            guard position + utf8.count <= bytes.count, Array(bytes[position..<position + utf8.count]) == utf8 else {
                throw fail("unexpected character")
            }
            position += utf8.count
            return value
        }

        mutating func value(depth: Int) throws(ParseError) -> JSONValue {
            guard let byte = current else { throw fail("unexpected end of text") }
            switch byte {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): return try expect("true", .bool(true))
            case UInt8(ascii: "f"): return try expect("false", .bool(false))
            case UInt8(ascii: "n"): return try expect("null", .null)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw fail("unexpected character")
            }
        }

        mutating func object(depth: Int) throws(ParseError) -> JSONValue {
            guard depth <= JSONValue.maximumDepth else { throw fail("nested deeper than \(JSONValue.maximumDepth)") }
            position += 1  // {
            var members: [Member] = []
            var seen: Set<String> = []
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw fail("expected a quoted key") }
                let keyOffset = position
                let key = try string()
                guard seen.insert(key).inserted else {
                    throw ParseError(offset: keyOffset, reason: "duplicate key \"\(key)\"")
                }
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
                position += 1
                skipWhitespace()
                members.append(Member(key: key, value: try value(depth: depth)))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    return .object(members)
                default: throw fail("expected ',' or '}' in an object")
                }
            }
        }

        mutating func array(depth: Int) throws(ParseError) -> JSONValue {
            guard depth <= JSONValue.maximumDepth else { throw fail("nested deeper than \(JSONValue.maximumDepth)") }
            position += 1  // [
            var items: [JSONValue] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            }
            while true {
                skipWhitespace()
                items.append(try value(depth: depth))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return .array(items)
                default: throw fail("expected ',' or ']' in an array")
                }
            }
        }

        mutating func digits() -> Int {
            let start = position
            while let byte = current, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { position += 1 }
            return position - start
        }

        mutating func number() throws(ParseError) -> JSONValue {
            let start = position
            if current == UInt8(ascii: "-") { position += 1 }
            let leading = position
            guard digits() > 0 else { throw fail("expected a digit") }
            if bytes[leading] == UInt8(ascii: "0"), position - leading > 1 {
                throw ParseError(offset: leading, reason: "numbers may not have leading zeros")
            }
            if current == UInt8(ascii: ".") {
                position += 1
                guard digits() > 0 else { throw fail("expected a digit after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard digits() > 0 else { throw fail("expected a digit in the exponent") }
            }
            return .number(String(decoding: bytes[start..<position], as: UTF8.self))
        }

        mutating func hexQuad() throws(ParseError) -> UInt32 {
            guard position + 4 <= bytes.count else { throw fail("unfinished \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw fail("bad hex digit in a \\u escape")
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        /// A string's text, built as UTF-8 bytes: appending to a
        /// `String.UnicodeScalarView` copied the text so far at every escape,
        /// and 100,000 escapes took seconds (found by the model-json fuzzing harness).
        mutating func string() throws(ParseError) -> String {
            position += 1  // "
            var text: [UInt8] = []
            var runStart = position
            func flush(_ end: Int, into text: inout [UInt8]) {
                if end > runStart { text += bytes[runStart..<end] }
            }
            var scalars = Scalars()
            while true {
                guard let byte = current else { throw fail("unterminated string") }
                switch byte {
                case UInt8(ascii: "\""):
                    flush(position, into: &text)
                    position += 1
                    return String(decoding: text, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    flush(position, into: &text)
                    position += 1
                    guard let escape = current else { throw fail("unterminated string") }
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""): scalars.append("\"")
                    case UInt8(ascii: "\\"): scalars.append("\\")
                    case UInt8(ascii: "/"): scalars.append("/")
                    case UInt8(ascii: "b"): scalars.append("\u{08}")
                    case UInt8(ascii: "f"): scalars.append("\u{0C}")
                    case UInt8(ascii: "n"): scalars.append("\n")
                    case UInt8(ascii: "r"): scalars.append("\r")
                    case UInt8(ascii: "t"): scalars.append("\t")
                    case UInt8(ascii: "u"):
                        var code = try hexQuad()
                        if code >= 0xD800, code < 0xDC00 {
                            guard position + 2 <= bytes.count, bytes[position] == UInt8(ascii: "\\"),
                                bytes[position + 1] == UInt8(ascii: "u")
                            else { throw fail("lone surrogate in a \\u escape") }
                            position += 2
                            let low = try hexQuad()
                            guard low >= 0xDC00, low < 0xE000 else { throw fail("lone surrogate in a \\u escape") }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw fail("lone surrogate in a \\u escape") }
                        scalars.append(scalar)
                    default: throw fail("bad escape in a string")
                    }
                    scalars.flush(into: &text)
                    runStart = position
                case 0..<0x20: throw fail("control character in a string")
                default: position += 1
                }
            }
        }
    }
}

/// The scalars of one escape, appended to a string's UTF-8 bytes.
private struct Scalars {
    private var pending: [Unicode.Scalar] = []

    mutating func append(_ scalar: Unicode.Scalar) { pending.append(scalar) }

    mutating func flush(into text: inout [UInt8]) {
        for scalar in pending { UTF8.encode(scalar) { text.append($0) } }
        pending.removeAll(keepingCapacity: true)
    }
}
