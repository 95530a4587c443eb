/// Where a session's words are read: at dnb's prompt, in a notebook replayed
/// by `dnb run`, or in Jupyter. The commands are the same everywhere; what
/// differs is how the user stops a command (Ctrl-C, or Jupyter's interrupt),
/// so the help texts and the messages of a stopped command are worded for
/// the place they are read in.
public enum FrontEnd: Sendable, CaseIterable {
    /// `dnb` at its prompt (the REPL).
    case prompt
    /// `dnb run NOTEBOOK`: its transcript is recorded and checked, so it
    /// says nothing more than the commands themselves.
    case batch
    /// The Jupyter kernel: interrupts come from the kernel's stop button.
    case jupyter

    /// Stands for how a command is stopped in a command's help `details`
    /// ("Ctrl-C", "Interrupting the kernel (■)"), at the start of a sentence.
    public static let stopPlaceholder = "{stop}"

    /// How a command is stopped here, at the start of a sentence.
    var stopAction: String {
        switch self {
        case .prompt, .batch: "Ctrl-C"
        case .jupyter: "Interrupting the kernel (■)"
        }
    }

    /// What stopped a command, as its message starts: "stopped by Ctrl-C", "interrupted".
    var stoppedBy: String {
        switch self {
        case .prompt, .batch: "stopped by Ctrl-C"
        case .jupyter: "interrupted"
        }
    }

    /// The message of a notebook or cell whose remaining lines did not run after an interrupt.
    var interruptedMessage: String {
        switch self {
        case .prompt, .batch: "interrupted (Ctrl-C)"
        case .jupyter: "interrupted"
        }
    }

    /// The last line of `help`: the keys of this front end.
    var helpFooter: String {
        switch self {
        case .prompt, .batch:
            "at the prompt: Tab completes, Up and Ctrl-R recall, Ctrl-C stops a command, quit or Ctrl-D leaves."
        case .jupyter:
            "in Jupyter: Tab completes; Shift+Tab shows the help of the command under the cursor;\n"
                + "interrupting the kernel (■) stops a command, which keeps what it finished."
        }
    }

    /// Whether the first plot written to a folder says where that folder is
    /// (a notebook replayed by `dnb run` names every file it writes anyway).
    var tellsWherePlotsGo: Bool { self != .batch }

    /// `text` with `stopPlaceholder` worded for this front end.
    func worded(_ text: String) -> String {
        text.replacing(Self.stopPlaceholder, with: stopAction)
    }
}

/// `1 epoch`, `5 epochs`: a count with its noun.
func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
}
