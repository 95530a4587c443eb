/// Why a person's picture could not be turned into a digit.
///
/// Each case names the file (as the caller passed it) and ``description``
/// is the one place it becomes a sentence.
public enum DigitPictureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not a picture dnb can decode: unknown format, damaged or truncated data.
    case notAnImage(file: String, reason: String)
    /// Larger than ``DigitPicture/maximumSide`` a side or
    /// ``DigitPicture/maximumPixels`` in all; refused before decoding.
    case tooLarge(file: String, width: Int, height: Int)
    /// Decoded, but nothing stands out from the background.
    case noInk(file: String)

    public var description: String {
        switch self {
        case .notAnImage(let file, let reason):
            "\(file): not an image dnb can read: \(reason)"
        case .tooLarge(let file, let width, let height):
            "\(file): the picture is \(width)x\(height) pixels, too large to be sensible (dnb reads up to "
                + "\(DigitPicture.maximumSide) pixels a side and \(DigitPicture.maximumPixels / 1_000_000) megapixels): "
                + "scale it down first"
        case .noInk(let file):
            "\(file): no ink found: the picture looks blank (nothing stands out from its background)"
        }
    }
}
