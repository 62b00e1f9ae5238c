<?php
// The WebMeetings portal under test. Attributes leave with urn:oid: names (name2oid), as
// federations send them; responses and assertions are signed with RSA-SHA256.
$metadata[getenv('WM_SP_ENTITY_ID')] = [
    'AssertionConsumerService' => getenv('WM_SP_ACS'),
    'SingleLogoutService' => getenv('WM_SP_SLO'),
    // Two keys as in the SP's metadata during a key rollover: signatures verify with either, and
    // assertions are encrypted to the one marked for encryption (the next key, in the rollover test).
    'keys' => [
        ['type' => 'X509Certificate', 'signing' => true, 'encryption' => false, 'X509Certificate' => getenv('WM_SP_CERT')],
        ['type' => 'X509Certificate', 'signing' => false, 'encryption' => true, 'X509Certificate' => getenv('WM_SP_ENCRYPTION_CERT')],
    ],
    'validate.authnrequest' => true,
    'validate.logout' => true,
    'sign.logout' => true,
    'saml20.sign.response' => true,
    'saml20.sign.assertion' => true,
    'assertion.encryption' => getenv('WM_SP_ENCRYPT') === 'true',
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    'authproc' => [
        90 => ['class' => 'core:AttributeMap', 'name2oid'],
    ],
];
