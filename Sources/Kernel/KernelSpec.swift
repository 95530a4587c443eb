import HostIO
import Interpreter
import JSON
import Terminal

/// The kernelspec that tells Jupyter how to start dnb: a folder `dnb/`
/// holding `kernel.json` and the logo, under `share/jupyter/kernels/`.
public enum KernelSpec {
    public static let name = "dnb"

    /// `kernel.json`: `dnb kernel -f {connection_file}`, interrupted by SIGINT.
    public static func kernelJSON(executable: String) -> [UInt8] {
        let spec = JSONValue.object([
            "argv": .array([executable, "kernel", "-f", "{connection_file}"].map(JSONValue.string)),
            "display_name": .string("dnb"),
            "language": .string("dnb"),
            "interrupt_mode": .string("signal"),
            "metadata": .object(["debugger": .bool(false)]),
        ])
        return Array(spec.serialized.utf8) + [0x0A]
    }

    /// A 64x64 logo: a handwritten-looking 7 on a dark square.
    static let logoSVG = """
        <svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
          <rect width="64" height="64" rx="10" fill="#1f2933"/>
          <path d="M17 18 H46 L30 50" fill="none" stroke="#f5f7fa" stroke-width="7" stroke-linecap="round" stroke-linejoin="round"/>
          <path d="M26 34 H42" stroke="#f5b700" stroke-width="5" stroke-linecap="round"/>
        </svg>

        """

    /// Where `dnb kernel install` writes: `PREFIX/share/jupyter/kernels/dnb`
    /// with `--prefix`; the user's Jupyter data folder with `--user`
    /// (`$JUPYTER_DATA_DIR`, else `$XDG_DATA_HOME/jupyter`, else
    /// `~/.local/share/jupyter`); else the system's, `/usr/local/share/jupyter`.
    public static func folder(user: Bool, prefix: String?, environment: Environment) -> String {
        let variables = environment.variables
        let base: String
        if let prefix {
            base = joinPath(prefix, "share/jupyter")
        } else if user {
            if let data = variables["JUPYTER_DATA_DIR"], !data.isEmpty {
                base = data
            } else if let xdg = variables["XDG_DATA_HOME"], !xdg.isEmpty {
                base = joinPath(xdg, "jupyter")
            } else {
                base = joinPath(environment.homeDirectory, ".local/share/jupyter")
            }
        } else {
            base = "/usr/local/share/jupyter"
        }
        let absolute = base.hasPrefix("/") ? base : joinPath(environment.currentDirectory, base)
        return joinPath(absolute, "kernels/\(name)")
    }

    /// Writes the kernelspec into `folder` for the dnb at `executable`.
    public static func install(executable: String, into folder: String) throws(KernelError) {
        do throws(FileError) {
            try writeFile(kernelJSON(executable: executable), to: joinPath(folder, "kernel.json"), creatingFolders: true)
            try writeFile(Array(logoSVG.utf8), to: joinPath(folder, "logo-svg.svg"), creatingFolders: true)
        } catch {
            throw .install(error.description)
        }
    }
}
