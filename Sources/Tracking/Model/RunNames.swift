/// Names for runs created without one, in MLflow's "adjective-noun-NNN" form.
enum RunNames {
    static let adjectives = [
        "amazing", "bold", "brave", "bright", "calm", "clever", "crisp", "dapper", "eager", "gentle",
        "glowing", "grand", "honest", "jolly", "keen", "lively", "lucky", "mellow", "nimble", "polite",
        "quick", "quiet", "rare", "serene", "sharp", "shiny", "silent", "sleek", "smooth", "steady",
        "sunny", "swift", "tidy", "upbeat", "vivid", "warm", "wise", "witty", "zealous", "agile",
    ]
    static let nouns = [
        "ant", "bass", "bear", "bird", "cat", "crane", "deer", "dove", "eel", "finch", "fox", "frog",
        "goat", "hare", "hawk", "heron", "horse", "jay", "koala", "lark", "lion", "lynx", "mole", "moth",
        "newt", "otter", "owl", "panda", "pike", "quail", "ram", "robin", "seal", "shrew", "snail",
        "swan", "toad", "trout", "whale", "wolf",
    ]

    static func random<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let adjective = adjectives.randomElement(using: &generator) ?? "quick"
        let noun = nouns.randomElement(using: &generator) ?? "fox"
        return "\(adjective)-\(noun)-\(Int.random(in: 0..<1000, using: &generator))"
    }
}
