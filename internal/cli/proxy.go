package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

func newProxyCommand(logger loggerFunc) *cobra.Command {
	return &cobra.Command{
		Use:   "proxy",
		Short: "not built yet",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errors.New("proxy: not built yet")
		},
	}
}
