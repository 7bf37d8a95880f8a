import ArgumentParser

@main
struct Mitosis: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Mitotic-figure detection in H&E histology.")
}
