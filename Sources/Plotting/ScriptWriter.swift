// The pieces every script shares: header, terminal, output path, quoting,
// datablocks. Charts are built by appending lines to a `ScriptWriter`.

/// Accumulates the lines of one gnuplot script.
struct ScriptWriter {
    private(set) var lines: [String] = []
    /// The image format being written, which sets how a font size in
    /// points is spelled (see `fontSize(_:)`); nil for a terminal preview.
    private(set) var format: PlotFormat?

    /// Appends one line of gnuplot text.
    mutating func line(_ text: String) { lines.append(text) }

    /// Appends a blank line (readability only).
    mutating func blank() { lines.append("") }

    /// The finished script, one trailing newline.
    func script(output: PlotOutput?) -> GnuplotScript {
        GnuplotScript(text: lines.joined(separator: "\n") + "\n", output: output)
    }

    /// The header of a script that renders `output` at `width`x`height`
    /// pixels, with `description` in the opening comment.
    ///
    /// The image goes next to the script, wherever gnuplot is started from.
    /// Measured on gnuplot 5.4: `ARG0` holds the script path exactly as it
    /// was given -- `gnuplot loss.gp` gives `loss.gp`, `gnuplot plots/loss.gp`
    /// gives `plots/loss.gp`, an absolute path stays absolute, and `-c`,
    /// `load` and `call` set it too. Fed on standard input (`gnuplot <
    /// loss.gp`) it is empty, and the image goes to the working directory.
    /// `GPVAL_PWD` is only the working directory, so it cannot help. The
    /// script therefore cuts `ARG0` after its last `/` and prefixes that to
    /// the output name (a string expression, so no quoting issues).
    static func file(_ output: PlotOutput, width: Int, height: Int, description: String) -> ScriptWriter {
        var writer = ScriptWriter()
        writer.format = output.format
        writer.line("# dnb: \(comment(description))")
        writer.line("# Self-contained (all data inline): render with `gnuplot \(output.scriptFileName)`;")
        writer.line("# the image \(output.imageFileName) is written next to this script.")
        writer.line("reset")
        writer.line("set encoding utf8")
        switch output.format {
        case .png:
            writer.line("set terminal pngcairo size \(width),\(height) font 'DejaVu Sans,\(writer.fontSize(10))' noenhanced")
        case .svg:
            writer.line(
                "set terminal svg size \(width),\(height) font 'DejaVu Sans,\(writer.fontSize(10))' noenhanced background rgb 'white'"
            )
        }
        writer.line("# ARG0 is this script's path as gnuplot was given it; keep its directory part.")
        writer.line("dnb_dir = exists('ARG0') ? ARG0 : ''")
        writer.line("dnb_i = strlen(dnb_dir)")
        writer.line("while (dnb_i > 0 && dnb_dir[dnb_i:dnb_i] ne '/') { dnb_i = dnb_i - 1 }")
        writer.line("dnb_dir = dnb_i > 0 ? dnb_dir[1:dnb_i] : ''")
        writer.line("set output dnb_dir.\(quoted(output.imageFileName))")
        return writer
    }

    /// The header of a script that draws text on standard output with the
    /// `dumb` terminal, `columns` x `lines` characters.
    static func terminal(columns: Int, lines: Int, description: String) -> ScriptWriter {
        var writer = ScriptWriter()
        writer.line("# dnb: \(comment(description)) (terminal preview)")
        writer.line("reset")
        writer.line("set encoding utf8")
        writer.line("set terminal dumb size \(columns),\(lines) noenhanced")
        writer.line("set output")
        return writer
    }

    /// A font size of `points` as this terminal takes it. pngcairo reads
    /// points at 96 pixels per inch (10 points are 13.33 pixels); the svg
    /// terminal writes the number as CSS pixels, so the same text would
    /// come out at 3/4 of the PNG's size in an image shown at the same
    /// width. SVG sizes are therefore points x 4/3, to two decimals.
    func fontSize(_ points: Int) -> String {
        format == .svg ? NumberFormat.significant(Double(points) * 4 / 3, 4) : String(points)
    }

    /// `font ',N'`: the default face at `points` (see `fontSize(_:)`).
    func font(_ points: Int) -> String { "font ',\(fontSize(points))'" }

    /// `with image` for a matrix of `values` values. Browsers smooth an
    /// SVG's embedded image when they scale it, which turns a 3x3 filter or
    /// the 10x10 confusion matrix into blurred gradients; pngcairo draws the
    /// pixels sharp. So an SVG draws a small matrix (up to 100 values) as
    /// one rectangle per value (`pixels`). A 28x28 digit would take 784
    /// rectangles a panel, megabytes for a grid, and reads well smoothed.
    func image(values: Int) -> String {
        format == .svg && values <= 100 ? "with image pixels" : "with image"
    }

    /// Closes the output file so the image is complete when gnuplot exits.
    mutating func finish() {
        line("unset output")
    }

    /// Appends a datablock `$name` holding one line per row.
    mutating func datablock(_ name: String, rows: [String]) {
        line("$\(name) << EOD")
        lines.append(contentsOf: rows)
        line("EOD")
    }

    /// Appends a datablock `$name` holding a `width` x `height` row-major
    /// matrix (row 0 first), for `plot $name matrix with image`.
    mutating func matrixDatablock(_ name: String, values: [Float], width: Int, significantDigits: Int = 4) {
        var rows: [String] = []
        rows.reserveCapacity(values.count / max(width, 1))
        var start = 0
        while start < values.count {
            let row = values[start..<min(start + width, values.count)]
            rows.append(row.map { NumberFormat.significant(Double($0), significantDigits) }.joined(separator: " "))
            start += width
        }
        datablock(name, rows: rows)
    }
}

/// `text` as a single-quoted gnuplot string: `'` doubled, line breaks and
/// other control characters turned into spaces. Single quotes take no
/// backslash escapes and no `@` macros, so nothing else needs care.
func quoted(_ text: String) -> String {
    "'" + printable(text).replacing("'", with: "''") + "'"
}

/// `text` safe for one comment line.
func comment(_ text: String) -> String { printable(text) }

/// `text` with control characters (line breaks included) as spaces.
func printable(_ text: String) -> String {
    String(
        String.UnicodeScalarView(
            text.unicodeScalars.map { scalar in
                scalar.properties.generalCategory == .control ? " " : scalar
            }))
}

/// Rows and columns of a near-square grid for `count` panels: columns =
/// ceil(sqrt(count)), rows = ceil(count / columns). 25 -> 5x5, 16 -> 4x4,
/// 10 -> 3x4, 3 -> 2x2.
func gridLayout(count: Int) -> (rows: Int, columns: Int) {
    precondition(count > 0, "gridLayout needs at least one panel")
    var columns = 1
    while columns * columns < count { columns += 1 }
    let rows = (count + columns - 1) / columns
    return (rows, columns)
}

/// `values` (`width` x `height`, row-major) with a single row or column
/// written twice: gnuplot draws `matrix with image` only from 2x2 up
/// ("Image grid must be at least 2 x 2"). The picture looks the same.
func atLeastTwoByTwo(_ values: [Float], width: Int, height: Int) -> (values: [Float], width: Int, height: Int) {
    var (values, width, height) = (values, width, height)
    if width == 1 {
        values = values.flatMap { [$0, $0] }
        width = 2
    }
    if height == 1 {
        values += values
        height = 2
    }
    return (values, width, height)
}
