/// The image format a plot script renders to.
public enum PlotFormat: String, Sendable, CaseIterable {
    /// Raster image through gnuplot's `pngcairo` terminal.
    case png
    /// Vector image through gnuplot's `svg` terminal.
    case svg
}

/// Where a plot script writes its image: `NAME.png` (or `.svg`) next to
/// the script `NAME.gp`.
public struct PlotOutput: Sendable, Equatable {
    /// The file-name stem shared by the script and the image, e.g. `loss`.
    public let name: String
    /// The image format.
    public let format: PlotFormat

    /// Checks that `name` is a plain file-name stem: 1 to 100 ASCII letters,
    /// digits, `_` or `-`, so it is safe inside a path and a gnuplot string.
    public init(name: String, format: PlotFormat = .png) throws(PlottingError) {
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        guard allowed, !name.isEmpty, name.utf8.count <= 100 else {
            throw .invalidOutputName(name)
        }
        self.name = name
        self.format = format
    }

    /// The image file name, e.g. `loss.png`.
    public var imageFileName: String { "\(name).\(format.rawValue)" }

    /// The script file name, e.g. `loss.gp`.
    public var scriptFileName: String { "\(name).gp" }
}

/// A self-contained gnuplot script: every number is inline in datablocks,
/// so `gnuplot NAME.gp` renders it with nothing else present.
public struct GnuplotScript: Sendable, Equatable {
    /// The script text, ending in a newline.
    public let text: String
    /// Where the script writes its image (next to the script, whatever the
    /// working directory); `nil` for a terminal preview, which writes text
    /// to standard output instead.
    public let output: PlotOutput?

    /// A script from its text; the chart functions build these.
    public init(text: String, output: PlotOutput?) {
        self.text = text
        self.output = output
    }
}
