import Foundation
import MitosisCaffe
import MitosisNN
import Testing

@Suite("Solver prototxt")
struct SolverTests {
    @Test(.enabled(if: ReferenceFiles.available, ReferenceFiles.missingMessage))
    func referenceSolverParses() throws {
        let solver = try SolverImporter.read(
            contentsOf: ReferenceFiles.url("BASE-alexnet_solver_ada.prototxt"),
            substitutions: ["kfoldi": "2", "numiter": "345"])
        #expect(solver.type == "ADAGRAD")
        #expect(solver.net == "2-alexnet_traing_32w_db.prototxt")
        #expect(solver.testIter == [345])
        #expect(solver.testInterval == 10000)
        #expect(solver.baseLR == 0.001)
        #expect(solver.lrPolicy == "fixed")
        #expect(solver.display == 1000)
        #expect(solver.maxIter == 600000)
        #expect(solver.weightDecay == 0.004)
        #expect(solver.snapshot == 10000)
        #expect(solver.snapshotPrefix == "2_caffenet_train_w32")
        #expect(solver.delta == 1e-8)
        #expect(solver.randomSeed == -1)
    }

    @Test(.enabled(if: ReferenceFiles.available, ReferenceFiles.missingMessage))
    func referenceSolverNeedsBothPlaceholders() {
        let url = ReferenceFiles.url("BASE-alexnet_solver_ada.prototxt")
        #expect(throws: CaffeFormatError.missingSubstitution(path: url.path, name: "numiter")) {
            try SolverImporter.read(contentsOf: url, substitutions: ["kfoldi": "1"])
        }
    }

    @Test func currentSolverFields() throws {
        let solver = try SolverImporter.parse("""
            net: "train.prototxt" type: "Adam" base_lr: 0.01 lr_policy: "multistep" gamma: 0.5 stepvalue: 10 stepvalue: 20
            momentum: 0.9 momentum2: 0.99 delta: 1e-6 rms_decay: 0.9 regularization_type: "L1" iter_size: 2
            clip_gradients: 5 random_seed: 42 test_initialization: false power: 0.75 stepsize: 7
            """)
        #expect(solver.type == "ADAM")
        #expect(solver.stepValues == [10, 20])
        #expect((solver.gamma, solver.momentum, solver.momentum2, solver.delta) == (0.5, 0.9, 0.99, 1e-6))
        #expect((solver.rmsDecay, solver.power, solver.stepSize) == (0.9, 0.75, 7))
        #expect(solver.regularizationType == "L1")
        #expect(solver.iterSize == 2)
        #expect(solver.clipGradients == 5)
        #expect(solver.randomSeed == 42)
        #expect(!solver.testInitialization)
    }

    @Test func unknownSolverTypeIsAnError() {
        #expect(throws: CaffeFormatError.self) { try SolverImporter.parse(#"type: "Lion""#) }
    }
}
