import Plotting

/// Everything the interpreter and its front ends do to the machine: read and
/// write files, look at paths, render plots with gnuplot. `LocalHost` is the
/// real one; a test hands the session a fake that records or fails on demand.
public protocol HostServices: Sendable {
    /// A whole regular file.
    func read(_ path: String) throws(FileError) -> [UInt8]
    /// Replaces `path` atomically (temporary file and rename; see `writeFileAtomically`).
    func write(_ bytes: [UInt8], to path: String, newFileMode: Int, creatingFolders: Bool) throws(FileError)
    /// What `path` names, following links.
    func kind(of path: String) -> FileKind
    /// The size of a file in bytes (0 when there is none).
    func size(of path: String) -> Int
    /// The names in a folder, sorted; none when it cannot be listed.
    func list(_ folder: String) -> [String]
    /// Writes the script to `directory` and renders it (see `GnuplotRenderer.render`).
    func render(_ script: GnuplotScript, in directory: String) -> GnuplotRenderResult
    /// A terminal preview's text (see `GnuplotRenderer.preview`).
    func preview(_ script: GnuplotScript) -> GnuplotPreviewResult
}

extension HostServices {
    /// `write` with a new file's mode 0644, creating missing folders.
    public func write(_ bytes: [UInt8], to path: String) throws(FileError) {
        try write(bytes, to: path, newFileMode: 0o644, creatingFolders: true)
    }
}

/// The machine dnb runs on.
public struct LocalHost: HostServices {
    public let renderer: GnuplotRenderer

    public init(renderer: GnuplotRenderer = GnuplotRenderer()) {
        self.renderer = renderer
    }

    public func read(_ path: String) throws(FileError) -> [UInt8] { try readFileBytes(path) }

    public func write(_ bytes: [UInt8], to path: String, newFileMode: Int, creatingFolders: Bool) throws(FileError) {
        try writeFile(bytes, to: path, newFileMode: newFileMode, creatingFolders: creatingFolders)
    }

    public func kind(of path: String) -> FileKind { fileKind(path) }

    public func size(of path: String) -> Int { fileSize(path) }

    public func list(_ folder: String) -> [String] { listFolder(folder) }

    public func render(_ script: GnuplotScript, in directory: String) -> GnuplotRenderResult {
        renderer.render(script, in: directory)
    }

    public func preview(_ script: GnuplotScript) -> GnuplotPreviewResult { renderer.preview(script) }
}
