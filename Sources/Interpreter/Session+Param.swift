import Language

extension Session {
    /// `param hidden=128 epochs=10`: declares notebook parameters with
    /// defaults; values given with `dnb run NB.dnb -p hidden=15` win.
    func param(_ command: Command) throws(Diagnostic) {
        _ = try expectWords(command, atMost: 0, usage: CommandSpecs.param.usage)
        guard !command.options.isEmpty else {
            guard !state.parameters.isEmpty else {
                throw Diagnostic("no parameters yet: declare them as in `param hidden=128`", at: command.verb.span)
            }
            emit(.text(parameterListing(state.parameters.keys.sorted())))
            return
        }
        // Every name is checked before any is set, so a failure changes nothing;
        // the table is then updated in place (a copy per `param` line made
        // many of them quadratic).
        for option in command.options {
            let name = option.key.text
            guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw Diagnostic("a parameter name has letters, digits and _ only. Received: \(name)", at: option.key.span)
            }
        }
        for option in command.options {
            let name = option.key.text
            state.parameters[name] = state.parameterOverrides[name] ?? option.value.text
        }
        state.declaredParameters.formUnion(command.options.map(\.key.text))
        emit(.text(parameterListing(command.options.map(\.key.text))))
    }

    /// `param hidden=15 (from -p), epochs=10`
    private func parameterListing(_ names: [String]) -> String {
        "param "
            + names.map { name in
                "\(name)=\(state.parameters[name] ?? "")" + (state.parameterOverrides[name] != nil ? " (from -p)" : "")
            }.joined(separator: ", ")
    }
}
