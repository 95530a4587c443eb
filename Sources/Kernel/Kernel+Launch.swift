import Glibc
import HostIO
import Interpreter
import Terminal

extension Kernel {
    /// `dnb kernel -f FILE`: reads the connection file, binds, serves until
    /// shutdown. Returns the exit code (1 when it cannot start, with why on stderr).
    public static func serve(connectionFile path: String) -> Int32 {
        let connection: ConnectionFile
        do {
            connection = try ConnectionFile(json: readFileBytes(path))
        } catch let error as FileError {
            Console.write("dnb kernel: \(error.message(naming: path))\n", to: STDERR_FILENO)
            return 1
        } catch let error as KernelError {
            Console.write("dnb kernel: \(path): \(error.description)\n", to: STDERR_FILENO)
            return 1
        } catch {
            return 1
        }
        do {
            return try Kernel(connection: connection, environment: .current).run()
        } catch {
            Console.write("dnb kernel: \(error.description)\n", to: STDERR_FILENO)
            return 1
        }
    }

    /// `dnb kernel install [--user | --prefix DIR]`: writes the kernelspec
    /// for this binary and says where.
    public static func install(user: Bool, prefix: String?) -> Int32 {
        guard let executable = executablePath() else {
            Console.write("dnb kernel install: cannot tell where this dnb binary is\n", to: STDERR_FILENO)
            return 1
        }
        let folder = KernelSpec.folder(user: user, prefix: prefix, environment: .current)
        do {
            try KernelSpec.install(executable: executable, into: folder)
        } catch {
            Console.write("dnb kernel install: \(error.description)\n", to: STDERR_FILENO)
            return 1
        }
        Console.write("installed the dnb kernel in \(folder) (it runs \(executable))\n", to: STDOUT_FILENO)
        return 0
    }
}
