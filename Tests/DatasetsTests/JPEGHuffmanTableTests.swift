import Foundation
import Testing

@testable import Datasets

/// A JPEG whose scan uses a Huffman table the file never defines made
/// Debian's stb_image decode with uninitialised memory, and at times abort
/// (found by the `picture` fuzzing harness). It is refused before stb_image.
@Suite struct JPEGHuffmanTableTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    func bytes(_ path: String) -> [UInt8] {
        Array(FileManager.default.contents(atPath: Self.fixtures.appendingPathComponent(path).path) ?? Data())
    }

    @Test func theFuzzFindingIsRefused() {
        let finding = bytes("fuzz/picture/jpeg-undefined-huffman-table.jpg")
        #expect(finding.count > 100)
        #expect(DigitPicture.jpegProblem(finding) != nil)
        #expect(throws: DigitPictureError.self) { try DigitPicture(decoding: finding, name: "bad.jpg") }
    }

    @Test func aGoodJPEGHasNoProblem() throws {
        let good = bytes("digits/formats/seven.jpg")
        #expect(DigitPicture.jpegProblem(good) == nil)
        #expect(try DigitPicture(decoding: good, name: "seven.jpg").format == "JPEG")
    }

    @Test func aScanNamingAMissingTableIsRefusedWithWhich() throws {
        var jpeg = bytes("digits/formats/seven.jpg")
        // The first SOS (FF DA): its first component's tables become DC 3 / AC 3, never defined.
        let sos = try #require((0..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA })
        jpeg[sos + 6] = 0x33
        let error = #expect(throws: DigitPictureError.self) { try DigitPicture(decoding: jpeg, name: "edited.jpg") }
        #expect(
            error?.description.contains("damaged JPEG: a scan uses DC Huffman table 3, which the file never defines")
                == true)
    }
}
