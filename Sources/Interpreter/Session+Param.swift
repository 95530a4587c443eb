import Language

/// `param NAME=VALUE ...`: its declaration and its handler.
enum ParamCommand {
    static let spec = CommandSpec(
        name: "param",
        usage: "param NAME=VALUE ...",
        summary: "notebook parameters with defaults, used as $NAME",
        details: """
            `dnb run NB.dnb -p NAME=VALUE` overrides a default (as papermill does). With no
            options, lists the parameters and their values.
            """,
        acceptsAnyOption: true,
        examples: ["param hidden=128 epochs=10", "build dense $hidden relu, dense 10 softmax"])

    static let entry = CommandEntry(spec: spec, handler: Session.param)
}

extension Session {
    /// Declares notebook parameters with defaults; values given with
    /// `dnb run NB.dnb -p hidden=15` win.
    func param(_ invocation: Invocation) throws(Diagnostic) -> Outcome {
        let written = invocation.writtenOptions
        guard !written.isEmpty else {
            guard !state.parameters.isEmpty else {
                throw Diagnostic("no parameters yet: declare them as in `param hidden=128`", at: invocation.verb.span)
            }
            emit(.text(parameterListing(state.parameters.keys.sorted())))
            return .done
        }
        // Every name is checked before any is set, so a failure changes nothing.
        for option in written {
            let name = option.key.text
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw Diagnostic("a parameter name has letters, digits and _ only. Received: \(name)", at: option.key.span)
            }
        }
        for option in written {
            let name = option.key.text
            state.journal.setParameter(name, to: state.parameterOverrides[name] ?? option.value.text)
            state.journal.declareParameter(name)
        }
        emit(.text(parameterListing(written.map(\.key.text))))
        return .done
    }

    /// `param hidden=15 (from -p), epochs=10`
    private func parameterListing(_ names: [String]) -> String {
        "param "
            + names.map { name in
                "\(name)=\(state.parameters[name] ?? "")" + (state.parameterOverrides[name] != nil ? " (from -p)" : "")
            }.joined(separator: ", ")
    }
}
