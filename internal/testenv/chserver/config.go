package chserver

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"text/template"
)

// Users the private server knows. DefaultUser has an empty password;
// LoaderUser needs LoaderPassword, so tests can check that a DSN's
// password never shows up in logs, errors or generated files.
const (
	DefaultUser    = "default"
	LoaderUser     = "loader"
	LoaderPassword = "ldr-S3cret-7Qx9"
)

// configTemplate is the whole server configuration. It keeps every path
// inside the server's directory, listens on 127.0.0.1 only, pins the
// server time zone to UTC, shortens the graceful shutdown and enables
// nothing else (no interserver port, no query log, no ZooKeeper).
// dataDir is the server's data directory (config.xml's path), under its
// directory.
const dataDir = "data"

var configTemplate = template.Must(template.New("config.xml").Parse(`<?xml version="1.0"?>
<yandex>
    <logger>
        <level>information</level>
        <log>{{.Dir}}/log/clickhouse-server.log</log>
        <errorlog>{{.Dir}}/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>{{.HTTPPort}}</http_port>
    <tcp_port>{{.TCPPort}}</tcp_port>{{if .SecurePort}}
    <tcp_port_secure>{{.SecurePort}}</tcp_port_secure>
    <https_port>{{.HTTPSPort}}</https_port>
    <openSSL>
        <server>
            <certificateFile>{{.Dir}}/tls/cert.pem</certificateFile>
            <privateKeyFile>{{.Dir}}/tls/key.pem</privateKeyFile>
            <verificationMode>none</verificationMode>
            <loadDefaultCAFile>false</loadDefaultCAFile>
            <cacheSessions>true</cacheSessions>
            <disableProtocols>sslv2,sslv3</disableProtocols>
            <preferServerCiphers>true</preferServerCiphers>
        </server>
    </openSSL>{{end}}
    <max_connections>1024</max_connections>
    <keep_alive_timeout>3</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>1073741824</uncompressed_cache_size>
    <mark_cache_size>1073741824</mark_cache_size>
    <path>{{.Dir}}/{{.DataDir}}/</path>
    <tmp_path>{{.Dir}}/tmp/</tmp_path>
    <user_files_path>{{.Dir}}/user_files/</user_files_path>
    <format_schema_path>{{.Dir}}/format_schemas/</format_schema_path>
    <users_config>{{.Dir}}/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <!-- A graceful stop waits this long (5 s by default) for running queries. -->
    <shutdown_wait_unfinished>1</shutdown_wait_unfinished>
    <umask>022</umask>
</yandex>
`))

// usersTemplate defines the default and loader users, both limited to
// loopback addresses, with the stock default profile and an unlimited
// quota.
var usersTemplate = template.Must(template.New("users.xml").Parse(`<?xml version="1.0"?>
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <!-- An idle native connection checks for shutdown once per
                 poll_interval (10 s by default), which is how long a
                 graceful stop waits for it. -->
            <poll_interval>1</poll_interval>
        </default>
    </profiles>
    <users>
        <{{.DefaultUser}}>
            <password></password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </{{.DefaultUser}}>
        <{{.LoaderUser}}>
            <password>{{.LoaderPassword}}</password>
            <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
            <profile>default</profile>
            <quota>default</quota>
        </{{.LoaderUser}}>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
`))

// writeConfig writes config.xml and users.xml into dir and creates the
// directories they name. It returns the path of config.xml.
func writeConfig(dir string, tcpPort, httpPort, securePort, httpsPort int) (string, error) {
	for _, sub := range []string{"log", dataDir, "tmp", "user_files", "format_schemas"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return "", fmt.Errorf("chserver: create %s directory: %w", sub, err)
		}
	}
	vars := map[string]any{
		"Dir":            template.HTMLEscapeString(dir),
		"DataDir":        dataDir,
		"TCPPort":        tcpPort,
		"HTTPPort":       httpPort,
		"SecurePort":     securePort,
		"HTTPSPort":      httpsPort,
		"DefaultUser":    DefaultUser,
		"LoaderUser":     LoaderUser,
		"LoaderPassword": LoaderPassword,
	}
	files := []struct {
		name string
		tmpl *template.Template
	}{
		{"config.xml", configTemplate},
		{"users.xml", usersTemplate},
	}
	for _, f := range files {
		var buf bytes.Buffer
		if err := f.tmpl.Execute(&buf, vars); err != nil {
			return "", fmt.Errorf("chserver: render %s: %w", f.name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), buf.Bytes(), 0o644); err != nil {
			return "", fmt.Errorf("chserver: write %s: %w", f.name, err)
		}
	}
	return filepath.Join(dir, "config.xml"), nil
}

// writeExtraFiles writes the extra files (slash paths relative to dir),
// in path order.
func writeExtraFiles(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		path := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("chserver: create directory of %s: %w", n, err)
		}
		if err := os.WriteFile(path, files[n], 0o644); err != nil {
			return fmt.Errorf("chserver: write %s: %w", n, err)
		}
	}
	return nil
}
