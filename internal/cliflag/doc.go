// Package cliflag is the flag machinery every minimcp command shares: flag sets whose usage
// lists each flag with its MINIMCP_* environment variable ([NewFlagSet], [EnvName]), flags
// read from the environment when not on the command line ([ApplyEnv]), flags anywhere among
// the arguments ([Parse]), one-line usage errors with exit status [ExitUsage] ([UsageError],
// [UsageLine], [CheckArgs], [CheckURL]), and the flag values more than one command takes
// ([StringList], [HeaderList], [Headers], [Era]).
//
//	fs := cliflag.NewFlagSet("tools", "tools [flags] URL")
//	asJSON := fs.Bool("json", false, "print the raw tools array as JSON")
//	pos, code := cliflag.Parse(fs, args)
//	if code >= 0 {
//		return code // 0 after --help, ExitUsage after a bad flag (reported)
//	}
//	if err := cliflag.ApplyEnv(fs); err != nil { // MINIMCP_JSON=true
//		return cliflag.UsageError(fs, err.Error())
//	}
//
// The commands' own flags are declared in cmd/minimcp, each beside its command.
package cliflag
