import ArgumentParser
import FlowlineStack

// Options built from their `Setting`: the flag's name and its `--help` text come from the one
// definition (Sources/FlowlineStack/Settings+…), so the variable and the default `--help` shows
// are the ones `Settings` uses.

extension Option {
    /// An option ArgumentParser reads as `T` (numbers, text); `Settings.value(_:flag:)` checks it.
    init<T: ExpressibleByArgument>(_ setting: Setting<T>) where Value == T? {
        self.init(name: .setting(setting), help: ArgumentHelp(setting.help))
    }

    /// An option whose text the setting reads (`Settings.value(_:text:)`): sizes, credentials,
    /// log levels, database URLs.
    init<T>(text setting: Setting<T>) where Value == String? {
        self.init(name: .setting(setting), help: ArgumentHelp(setting.help))
    }

    /// A repeatable option whose values the setting reads, joined with commas.
    init(wrappedValue: [String], text setting: Setting<[String]>) where Value == [String] {
        self.init(wrappedValue: wrappedValue, name: .setting(setting), help: ArgumentHelp(setting.help))
    }
}

extension Flag where Value == Bool {
    /// A flag that turns the setting on; without it, the setting's variables decide.
    init(wrappedValue: Bool, _ setting: Setting<Bool>) {
        self.init(wrappedValue: wrappedValue, name: .setting(setting), help: ArgumentHelp(setting.help))
    }
}

extension NameSpecification {
    /// The setting's long flag.
    static func setting<T>(_ setting: Setting<T>) -> NameSpecification {
        guard let option = setting.option, option.hasPrefix("--") else { preconditionFailure("\(setting) has no --flag") }
        return .customLong(String(option.dropFirst(2)))
    }
}
