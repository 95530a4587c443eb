// libFuzzer's front end for `make fuzz`: built only with DNB_FUZZ=1 and
// -sanitize=fuzzer,address. SwiftPM gives an executable its own `main`, so
// this one hands the command line to libFuzzer's driver. The harness is
// chosen by the environment variable DNB_FUZZ_TARGET; DNB_FUZZ_TARGET=list
// prints every harness as "name max_len dictionary summary" (Fuzz/run.sh
// reads it, so each limit is written once, in its harness).

import CFuzzerDriver
import FuzzTargets

#if canImport(Glibc)
    import Glibc
#endif

let name = getenv("DNB_FUZZ_TARGET").map { String(cString: $0) } ?? ""
if name == "list" {
    for target in FuzzTargets.all {
        print(target.name, target.maximumLength, target.dictionary ?? "-", target.summary)
    }
    exit(0)
}
guard let chosen = FuzzTargets.named(name) else {
    let names = FuzzTargets.all.map(\.name).joined(separator: " ")
    print("dnb-fuzz: set DNB_FUZZ_TARGET to one of: \(names) (or list)")
    exit(2)
}

/// The harness, for the C callback (which cannot capture it).
enum Chosen {
    static let target = FuzzTargets.named(getenv("DNB_FUZZ_TARGET").map { String(cString: $0) } ?? "")
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(
    LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        _ = Chosen.target?(bytes)
        return 0
    })
