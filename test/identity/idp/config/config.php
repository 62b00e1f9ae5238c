<?php
// SimpleSAMLphp 1.19 (Debian) as the test IdP of test/identity/simplesamlphp.test.ts. Everything
// that changes per run (port, key directory, the SP under test) comes from the environment the test
// sets for `php -S`; see shared/reference/test-peers.md for why each setting is here.
$config = [
    'baseurlpath' => getenv('WM_IDP_BASEURL'),
    'certdir' => getenv('WM_IDP_DIR') . '/',
    'loggingdir' => getenv('WM_IDP_DIR') . '/',
    'datadir' => getenv('WM_IDP_DIR') . '/',
    'tempdir' => getenv('WM_IDP_DIR') . '/tmp',
    'metadatadir' => __DIR__ . '/../metadata/',
    'attributenamemapdir' => '/etc/simplesamlphp/attributemap/',
    'secretsalt' => getenv('WM_IDP_SALT'),
    'auth.adminpassword' => getenv('WM_IDP_SALT'),
    'admin.protectindexpage' => true,
    'admin.protectmetadata' => false,
    'technicalcontact_name' => 'WebMeetings tests',
    'technicalcontact_email' => 'tests@example.org',
    'timezone' => 'UTC',
    'logging.level' => SimpleSAML\Logger::WARNING,
    'logging.handler' => 'file',
    'logging.logfile' => 'simplesamlphp.log',
    'enable.saml20-idp' => true,
    'module.enable' => ['exampleauth' => true, 'core' => true, 'saml' => true, 'admin' => false],
    'session.cookie.secure' => false,
    'session.cookie.samesite' => null,
    'session.phpsession.cookiename' => 'SimpleSAMLTest',
    'store.type' => 'phpsession',
    'metadata.sources' => [['type' => 'flatfile']],
    'language.default' => 'en',
    'showerrors' => true,
    // ReturnTo of IdP-initiated logout goes back to the portal under test.
    'trusted.url.domains' => ['127.0.0.1', getenv('WM_SP_HOSTPORT')],
];
