<?php
// The IdP itself. It speaks for both test domains (shibmd:Scope), as a federation proxy would.
$metadata['__DYNAMIC:1__'] = [
    'host' => '__DEFAULT__',
    'privatekey' => 'idp.key',
    'certificate' => 'idp.crt',
    'auth' => 'test-users',
    'scope' => ['unipd.it', 'unimi.it'],
    'UIInfo' => [
        'DisplayName' => ['it' => 'Università di Padova (IdP di prova)', 'en' => 'University of Padua (test IdP)'],
        'Description' => ['it' => 'IdP di prova', 'en' => 'Test IdP'],
    ],
    'signature.algorithm' => 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    'attributes.NameFormat' => 'urn:oasis:names:tc:SAML:2.0:attrname-format:uri',
    'NameIDFormat' => 'urn:oasis:names:tc:SAML:2.0:nameid-format:transient',
];
