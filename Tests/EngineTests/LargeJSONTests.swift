import JSON
import Testing

@testable import Engine

/// A model file's JSON with very many escapes in one string once took
/// seconds (quadratic appends); found by the model-json fuzzing harness.
/// Asserts the parsed value, never a time.
@Suite struct LargeJSONTests {
    @Test func aStringOfAHundredThousandEscapesParses() throws {
        let json = "{\"k\":\"" + String(repeating: "a\\\"\\u00e9\\ud83d\\ude00", count: 100_000) + "\"}"
        let value = try JSONValue.parse(Array(json.utf8))
        #expect(value["k"]?.string == String(repeating: "a\"é😀", count: 100_000))
    }

    @Test func escapesAndPlainRunsKeepTheirOrder() throws {
        let value = try JSONValue.parse(Array(#"["x\ty\n\\z\/\"\u0041é"]"#.utf8))
        #expect(value == .array([.string("x\ty\n\\z/\"Aé")]))
    }

    @Test func theFuzzFindingIsAnErrorAfterLinearWork() {
        // The kept finding's shape: a header whose key holds 130,000 escaped quotes.
        let header = "{\"__metadat" + String(repeating: "[{\\\"units\\\":2}]", count: 20_000) + "\":\"v\"}"
        let bytes = Array(UInt64(header.utf8.count).littleEndianBytes) + Array(header.utf8)
        #expect(throws: ModelFileError.self) { try ModelFile.decode(bytes) }
    }
}

extension UInt64 {
    fileprivate var littleEndianBytes: [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: self >> (8 * $0)) } }
}
