<?php
// Test people of two institutions: Padova (subscribes to WebMeetings) and Milano (does not).
$config = [
    'admin' => ['core:AdminPassword'],
    'test-users' => [
        'exampleauth:UserPass',
        'mrossi:padova-pass' => [
            'eduPersonPrincipalName' => ['mrossi@unipd.it'],
            'mail' => ['mario.rossi@unipd.it'],
            'displayName' => ['Mario Rossi'],
            'givenName' => ['Mario'],
            'sn' => ['Rossi'],
            'schacHomeOrganization' => ['unipd.it'],
            'eduPersonScopedAffiliation' => ['staff@unipd.it', 'member@unipd.it'],
            'eduPersonEntitlement' => ['urn:mace:terena.org:tcs:personal-user'],
        ],
        'lverdi:milano-pass' => [
            'eduPersonPrincipalName' => ['lverdi@unimi.it'],
            'mail' => ['luca.verdi@unimi.it'],
            'givenName' => ['Luca'],
            'sn' => ['Verdi'],
            'schacHomeOrganization' => ['unimi.it'],
            'eduPersonScopedAffiliation' => ['student@unimi.it'],
        ],
    ],
];
