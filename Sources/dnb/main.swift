import Glibc
import HostIO
import Kernel
import ModelFormats
import Terminal

/// dnb's command line: argument parsing and exit codes only.
let usage = """
    usage: dnb                         open the interactive prompt (or replay notebook text piped to stdin)
           dnb run FILE.dnb|FILE.ipynb [-p NAME=VALUE ...] [--record | --check [--tolerance X]] [--report OUT.md|OUT.ipynb]
                                       replay a notebook; exit 1 at the first failing command
                                       --record   write each command's output under it as #> lines
                                       --check    compare outputs with the #> lines (numbers within X, default 1e-4)
                                       --report   write Markdown or a Jupyter notebook with outputs and plots
           dnb kernel install [--user | --prefix DIR]
                                       write the dnb kernelspec so Jupyter lists it (default: /usr/local/share/jupyter)
           dnb kernel -f CONNECTION_FILE
                                       serve as a Jupyter kernel (Jupyter starts it so)
           dnb --help | --version
    """

var arguments = Array(CommandLine.arguments.dropFirst())

func fail(_ message: String) -> Never {
    Console.write("dnb: error: \(message)\n\(usage)\n", to: STDERR_FILENO)
    exit(2)
}

if arguments.isEmpty {
    if isatty(STDIN_FILENO) == 1 {
        exit(REPL().run())
    }
    // Piped input behaves like `run`, bytes checked the same way.
    exit(BatchRunner.run(file: "<stdin>", source: nil, readStandardInput: true))
}

switch arguments.removeFirst() {
case "__read-model":
    // Hidden: a session reads a .keras or .h5 file through libhdf5 in this child
    // (HostIO/ModelReaderProcess.swift), the bytes on stdin, dnb's safetensors out.
    guard arguments.count == 1, let input = enterModelReaderChild() else { exit(2) }
    switch ModelCodec.childRead(format: arguments[0], input: input) {
    case .success(let bytes):
        writeStandardOutput(bytes)
        exit(0)
    case .failure(let error):
        Console.write(error.description, to: STDERR_FILENO)
        exit(1)
    }
case "-h", "--help", "help":
    if let extra = arguments.first { fail("unexpected '\(extra)'") }
    print(usage)
case "--version":
    if let extra = arguments.first { fail("unexpected '\(extra)'") }
    print("dnb 0.1.0")
case "run":
    var file: String?
    var options = BatchRunner.Options()
    while !arguments.isEmpty {
        let argument = arguments.removeFirst()
        switch argument {
        case "-p", "--param":
            guard !arguments.isEmpty else { fail("-p needs NAME=VALUE") }
            let pair = arguments.removeFirst()
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                fail("-p needs NAME=VALUE, got '\(pair)'")
            }
            options.parameters[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        case "--record":
            options.record = true
        case "--check":
            options.check = true
        case "--tolerance":
            guard let text = arguments.first, let value = Double(text), value >= 0, value.isFinite else {
                fail("--tolerance needs a number ≥ 0, as in --tolerance 1e-3")
            }
            arguments.removeFirst()
            options.tolerance = value
        case "--report":
            guard let path = arguments.first, path.hasSuffix(".md") || path.hasSuffix(".ipynb") else {
                fail("--report needs a file ending in .md or .ipynb")
            }
            arguments.removeFirst()
            options.report = path
        default:
            if argument.hasPrefix("-") { fail("unknown option '\(argument)'") }
            if file != nil { fail("one notebook at a time (got '\(argument)' too)") }
            file = argument
        }
    }
    guard let file else { fail("run needs a notebook: dnb run FILE.dnb") }
    if options.record && options.check { fail("--record rewrites the outputs that --check compares: use one") }
    if file.hasSuffix(".ipynb") && (options.record || options.check) {
        fail("--record and --check keep outputs in a .dnb notebook; a .ipynb keeps its own (use --report)")
    }
    exit(BatchRunner.run(file: file, options: options))
case "kernel":
    if arguments.first == "install" {
        arguments.removeFirst()
        var user = false
        var prefix: String?
        while !arguments.isEmpty {
            switch arguments.removeFirst() {
            case "--user": user = true
            case "--prefix":
                guard let folder = arguments.first else { fail("--prefix needs a folder") }
                arguments.removeFirst()
                prefix = folder
            case let other: fail("unknown option '\(other)' for kernel install")
            }
        }
        if user && prefix != nil { fail("--user and --prefix name two places: use one") }
        exit(Kernel.install(user: user, prefix: prefix))
    }
    guard arguments.count == 2, arguments[0] == "-f" else { fail("kernel needs -f CONNECTION_FILE") }
    exit(Kernel.serve(connectionFile: arguments[1]))
case let other:
    fail("unknown command '\(other)'")
}
