import Glibc
import Terminal

/// dnb's command line: argument parsing and exit codes only.
let usage = """
    usage: dnb                         open the interactive prompt (or replay notebook text piped to stdin)
           dnb run FILE.dnb [-p NAME=VALUE ...]
                                       replay a notebook; exit 1 at the first failing command
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
    // Piped input behaves like `run`.
    var source = ""
    while let line = readLine(strippingNewline: false) { source += line }
    exit(BatchRunner.run(file: "<stdin>", source: source))
}

switch arguments.removeFirst() {
case "-h", "--help", "help":
    print(usage)
case "--version":
    print("dnb 0.1.0")
case "run":
    var file: String?
    var parameters: [String: String] = [:]
    while !arguments.isEmpty {
        let argument = arguments.removeFirst()
        switch argument {
        case "-p", "--param":
            guard !arguments.isEmpty else { fail("-p needs NAME=VALUE") }
            let pair = arguments.removeFirst()
            guard let equals = pair.firstIndex(of: "="), equals != pair.startIndex else {
                fail("-p needs NAME=VALUE, got '\(pair)'")
            }
            parameters[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        default:
            if argument.hasPrefix("-") { fail("unknown option '\(argument)'") }
            if file != nil { fail("one notebook at a time (got '\(argument)' too)") }
            file = argument
        }
    }
    guard let file else { fail("run needs a notebook: dnb run FILE.dnb") }
    exit(BatchRunner.run(file: file, parameters: parameters))
case let other:
    fail("unknown command '\(other)'")
}
