package backfill

import (
	"strings"

	"github.com/canonic-data/canonic/internal/warehouse"
)

// Per-tenant settings. One deployment (a Lambda function, or a shell with
// several tenants' keys) can serve several tenants: every connection
// variable has a per-tenant form with the tenant's name, upper-cased,
// after its first word, which wins over the plain one when set:
//
//	CONNECTWISE_ACME_PUBLIC_KEY   overrides CONNECTWISE_PUBLIC_KEY   for --tenant acme
//	CLICKHOUSE_ACME_DSN           overrides CLICKHOUSE_DSN           for --tenant acme
//
// The variables with a per-tenant form: CONNECTWISE_URL, _COMPANY,
// _PUBLIC_KEY, _PRIVATE_KEY, _CLIENT_ID, CLICKHOUSE_DSN, _CLUSTER and
// _ZK_PREFIX. Tenant names are ASCII letters, digits and underscores, so
// every such name is a valid environment variable name.

// tenantVar returns the per-tenant form of name: CONNECTWISE_PUBLIC_KEY
// for tenant acme is CONNECTWISE_ACME_PUBLIC_KEY.
func tenantVar(name, tenant string) string {
	first, rest, _ := strings.Cut(name, "_")
	return first + "_" + strings.ToUpper(tenant) + "_" + rest
}

// tenantEnv returns a getenv that reads name's per-tenant form when it is
// set and name itself otherwise.
func tenantEnv(tenant string, getenv func(string) string) func(string) string {
	return func(name string) string {
		if tenant != "" {
			if v := getenv(tenantVar(name, tenant)); v != "" {
				return v
			}
		}
		return getenv(name)
	}
}

// secretValues returns the secrets held in environ (KEY=value lines): the
// ConnectWise keys and the ClickHouse DSN passwords, plain and per tenant,
// for the output redactor.
func secretValues(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if !ok || value == "" {
			continue
		}
		switch {
		case strings.HasPrefix(name, "CONNECTWISE_") && (strings.HasSuffix(name, "_PUBLIC_KEY") || strings.HasSuffix(name, "_PRIVATE_KEY")):
			out = append(out, value)
		case strings.HasPrefix(name, "CLICKHOUSE_") && strings.HasSuffix(name, "_DSN") || name == EnvClickHouseDSN:
			if _, pw, err := warehouse.RedactDSN(value); err == nil && pw != "" {
				out = append(out, pw)
			}
		}
	}
	return out
}
