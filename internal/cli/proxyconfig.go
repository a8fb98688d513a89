package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

func newProxyConfigCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "proxy-config",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("proxy-config: not built yet")
		},
	}
}
