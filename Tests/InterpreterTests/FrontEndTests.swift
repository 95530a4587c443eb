import Foundation
import Language
import Testing

@testable import Interpreter

/// The same commands worded for where they are read: at the prompt, in a
/// replayed notebook, in Jupyter.
@Suite struct FrontEndTests {
    /// A session on the bar fixtures in `harness`'s folder, as `frontEnd`
    /// sees it; `interruptAfter` polls of the interrupt flag answer yes.
    final class Seen {
        var texts: [String] = []
        var lastBar: String?
        var polls = 0
        var interruptAfter = Int.max

        /// From now on, the `polls`+1-th poll of the interrupt flag answers yes.
        func interrupt(after polls: Int) {
            self.polls = 0
            interruptAfter = polls
        }
    }

    func session(_ harness: Harness, _ frontEnd: FrontEnd) -> (Session, Seen) {
        let seen = Seen()
        let session = Session(
            environment: Environment(variables: [:], currentDirectory: harness.directory, homeDirectory: harness.directory),
            isInterrupted: {
                seen.polls += 1
                return seen.polls > seen.interruptAfter
            },
            emit: { event in
                if case .text(let text) = event { seen.texts.append(text) }
                if case .progress(let bar) = event { seen.lastBar = bar }
            })
        session.frontEnd = frontEnd
        return (session, seen)
    }

    static let setup = """
        load idx train-images train-labels test-images test-labels
        normalize
        build dense 16 relu, dense 10 softmax
        """

    @Test func helpNamesTheKeysOfWhereItIsRead() throws {
        let jupyter = Session.overview(in: .jupyter)
        #expect(!jupyter.contains("Ctrl-"))
        #expect(jupyter.contains("Shift+Tab"))
        #expect(jupyter.contains("\ninterrupting the kernel (■) stops a command"))
        #expect(Session.overview(in: .prompt).contains("Ctrl-C stops a command, quit or Ctrl-D leaves"))

        let fit = try #require(CommandTable.spec(named: "fit"))
        let inJupyter = Session.details(of: fit, in: .jupyter)
        #expect(inJupyter.contains("\nInterrupting the kernel (■) stops after the current batch and keeps the weights"))
        #expect(!inJupyter.contains("Ctrl-"))
        #expect(Session.details(of: fit, in: .prompt).contains("\nCtrl-C stops after the current batch"))
        // Jupyter's Shift+Tab reads the same text.
        #expect(CommandTable.helpText(for: "fit", in: .jupyter) == inJupyter)
        for spec in CommandTable.specs {
            for frontEnd in FrontEnd.allCases {
                #expect(!Session.details(of: spec, in: frontEnd).contains(FrontEnd.stopPlaceholder), "\(spec.name)")
            }
        }
    }

    /// 200 training images in batches of 32: 7 steps an epoch; the fit polls
    /// after each step, so the 11th poll stops epoch 2 after its step 4.
    @Test func anInterruptedFitInJupyterIsOneMessageWithoutACaret() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        let (session, seen) = session(harness, .jupyter)
        #expect(session.run(source: Self.setup, file: nil) == nil)
        seen.texts.removeAll()
        seen.interrupt(after: 10)
        let failure = try #require(session.run(source: "fit epochs=50", file: "In[2]"))
        #expect(failure.interrupted)
        let message = "interrupted at epoch 2/50, step 4: the weights are kept, and the history has 1 more epoch"
        #expect(failure.diagnostic.message == message)
        #expect(!seen.texts.contains { $0.contains("interrupted") || $0.contains("stopped") })
        // The bar is left where the fit stopped, at the step the message names.
        #expect(seen.lastBar?.hasPrefix("Epoch 2/50  4/7 [") == true)
        let error = failure.jupyterError
        #expect(error.ename == "KeyboardInterrupt")
        #expect(error.traceback == [message])
    }

    @Test func anInterruptedFitAtThePromptSaysWhereItStopped() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        let (session, seen) = session(harness, .prompt)
        #expect(session.run(source: Self.setup, file: nil) == nil)
        seen.interrupt(after: 3)
        let failure = try #require(session.run(source: "fit epochs=50", file: nil))
        #expect(failure.diagnostic.message == "interrupted (Ctrl-C)")
        #expect(
            seen.texts.last
                == "stopped by Ctrl-C at epoch 1/50, step 4: the weights are kept, and no epoch finished, so the history is as it was"
        )
    }

    @Test func theFirstPlotOfAFolderSaysWhereItWent() throws {
        let harness = try Harness()
        try writeBarFixtures(harness)
        for frontEnd in FrontEnd.allCases {
            let (session, seen) = session(harness, frontEnd)
            #expect(session.run(source: Self.setup + "\nfit epochs=2\nshow loss\nshow accuracy", file: nil) == nil)
            let told = seen.texts.filter { $0.hasPrefix("plots go to") }
            if frontEnd == .batch {
                #expect(told.isEmpty)
                continue
            }
            #expect(
                told == [
                    "plots go to plots/ (\(harness.directory)/plots): each image with a gnuplot script that draws it again,\n"
                        + "e.g. gnuplot plots/loss.gp; set plots=DIR puts them elsewhere"
                ])
            #expect(session.run(source: "set plots=elsewhere\nshow loss", file: nil) == nil)
            #expect(seen.texts.last?.hasPrefix("plots go to elsewhere/ (\(harness.directory)/elsewhere)") == true)
        }
    }
}
