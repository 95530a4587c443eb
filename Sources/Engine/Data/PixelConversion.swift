// Pixels to input features, as a pass gathers rows into its batch buffer.
//
// Shapes: `N` rows, `I` = width.
//   p  N×I  UInt8 pixels (each row anywhere: rows are picked by index)
//   x  N×I  Float features, row-major
//
// This is the one place pixels become features (`InputScaling` only says
// which transform), with the exact arithmetic of
// Keras's preprocessing, so training from pixels gives the same bits as
// training from Float features converted up front:
//   .scale        x = Float(p) / 255            (Keras's x / 255.0: a division)
//   .standardize  x = (Float(p) − mean[j]) / std[j]
// Both run as one formula, x = (Float(p) − offset[j]) / divisor[j], with
// offset 0 and divisor 255 for `.scale` (Float(p) − 0 is Float(p) exactly,
// +0 included), eight lanes at a time: IEEE subtraction and division round
// each lane as the scalar operations do, so the lanes give the same bits.

/// How pixel rows become input features: an `InputScaling` checked against
/// a width, with its per-input offsets and divisors.
struct PixelConversion: Sendable {
    let scaling: InputScaling
    /// Subtracted from each input: 0, or the feature's mean.
    let offsets: [Float]
    /// What each input is then divided by: 255, or the feature's std.
    let divisors: [Float]

    /// Throws, for `.standardize`, `shapeMismatch` unless mean and std have
    /// `width` entries each, and `invalidArgument` unless every mean is
    /// finite and every std finite and > 0.
    init(_ scaling: InputScaling, width: Int) throws(EngineError) {
        self.scaling = scaling
        switch scaling {
        case .scale:
            offsets = [Float](repeating: 0, count: width)
            divisors = [Float](repeating: 255, count: width)
        case .standardize(let mean, let std):
            guard mean.count == width, std.count == width else {
                throw .shapeMismatch(
                    "standardize needs a mean and a std for each of the \(width) inputs. "
                        + "Received: \(mean.count) means, \(std.count) stds")
            }
            if let j = mean.firstIndex(where: { !$0.isFinite }) {
                throw .invalidArgument("standardize needs finite means. Received: mean[\(j)]=\(mean[j])")
            }
            if let j = std.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
                throw .invalidArgument("standardize needs finite stds above 0. Received: std[\(j)]=\(std[j])")
            }
            offsets = mean
            divisors = std
        }
    }

    /// Writes `rows` rows of `width` features into `output` (rows × width,
    /// row-major); `row(r)` points at row r's `width` pixels.
    func convert(
        rows: Int, width: Int, row: (Int) -> UnsafePointer<UInt8>, into output: UnsafeMutablePointer<Float>
    ) {
        precondition(width == offsets.count, "converting \(width) pixels with \(offsets.count) offsets")
        offsets.withUnsafeBufferPointer { offsets in
            divisors.withUnsafeBufferPointer { divisors in
                guard let offsets = offsets.baseAddress, let divisors = divisors.baseAddress else { return }
                let whole = width - width % 8
                for r in 0..<rows {
                    let p = row(r)
                    let x = output + r * width
                    var j = 0
                    while j < whole {
                        let bytes = UnsafeRawPointer(p + j).loadUnaligned(as: SIMD8<UInt8>.self)
                        let values = SIMD8<Float>(SIMD8<Int32>(truncatingIfNeeded: bytes))
                        let offset = UnsafeRawPointer(offsets + j).loadUnaligned(as: SIMD8<Float>.self)
                        let divisor = UnsafeRawPointer(divisors + j).loadUnaligned(as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(x + j).storeBytes(of: (values - offset) / divisor, as: SIMD8<Float>.self)
                        j += 8
                    }
                    for k in whole..<width {
                        x[k] = (Float(p[k]) - offsets[k]) / divisors[k]
                    }
                }
            }
        }
    }
}
