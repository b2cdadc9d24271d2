import type { Models } from 'purecloud-platform-client-v2'
/** A model that also takes fields it does not name, at every depth: only its own fields are checked. */
type Open<T> = T extends readonly (infer U)[] ? Open<U>[] : T extends object ? { [K in keyof T]: Open<T[K]> } & { [field: string]: unknown } : T

// POST /api/v2/journey/segments
export const a0: Models.JourneySegment = {
  "color": "#e5a000",
  "createdDate": "2026-11-21T10:30:00.000Z",
  "description": "The dispatch was delayed",
  "displayName": "Dispatch delayed",
  "id": "4cebbaf2-053e-5471-b13b-b5938696a270",
  "isActive": true,
  "journey": {
    "patterns": [
      {
        "count": 1,
        "criteria": [
          {
            "key": "attributes.reason",
            "operator": "equal",
            "shouldIgnoreCase": true,
            "values": [
              "weather"
            ]
          }
        ],
        "eventName": "dispatch_delayed",
        "sessionType": "delivery",
        "streamType": "Custom"
      }
    ]
  },
  "modifiedDate": "2026-11-21T10:30:00.000Z",
  "scope": "Session",
  "selfUri": "/api/v2/journey/segments/4cebbaf2-053e-5471-b13b-b5938696a270",
  "shouldDisplayToAgent": true,
  "version": 1
};

// GET /api/v2/journey/segments/{id}
export const a1: Models.JourneySegment = {
  "color": "#e5a000",
  "createdDate": "2026-11-21T10:30:00.000Z",
  "description": "The dispatch was delayed",
  "displayName": "Dispatch delayed",
  "id": "4cebbaf2-053e-5471-b13b-b5938696a270",
  "isActive": true,
  "journey": {
    "patterns": [
      {
        "count": 1,
        "criteria": [
          {
            "key": "attributes.reason",
            "operator": "equal",
            "shouldIgnoreCase": true,
            "values": [
              "weather"
            ]
          }
        ],
        "eventName": "dispatch_delayed",
        "sessionType": "delivery",
        "streamType": "Custom"
      }
    ]
  },
  "modifiedDate": "2026-11-21T10:30:00.000Z",
  "scope": "Session",
  "selfUri": "/api/v2/journey/segments/4cebbaf2-053e-5471-b13b-b5938696a270",
  "shouldDisplayToAgent": true,
  "version": 1
};

// GET /api/v2/journey/segments
export const a2: Models.SegmentListing = {
  "entities": [
    {
      "color": "#e5a000",
      "createdDate": "2026-11-21T10:30:00.000Z",
      "description": "The dispatch was delayed",
      "displayName": "Dispatch delayed",
      "id": "4cebbaf2-053e-5471-b13b-b5938696a270",
      "isActive": true,
      "journey": {
        "patterns": [
          {
            "count": 1,
            "criteria": [
              {
                "key": "attributes.reason",
                "operator": "equal",
                "shouldIgnoreCase": true,
                "values": [
                  "weather"
                ]
              }
            ],
            "eventName": "dispatch_delayed",
            "sessionType": "delivery",
            "streamType": "Custom"
          }
        ]
      },
      "modifiedDate": "2026-11-21T10:30:00.000Z",
      "scope": "Session",
      "selfUri": "/api/v2/journey/segments/4cebbaf2-053e-5471-b13b-b5938696a270",
      "shouldDisplayToAgent": true,
      "version": 1
    }
  ],
  "firstUri": "/api/v2/journey/segments?pageSize=10&pageNumber=1",
  "lastUri": "/api/v2/journey/segments?pageSize=10&pageNumber=1",
  "pageCount": 1,
  "pageNumber": 1,
  "pageSize": 10,
  "selfUri": "/api/v2/journey/segments?pageSize=10&pageNumber=1",
  "total": 1
};

// PATCH /api/v2/journey/segments/{id}
export const a3: Models.JourneySegment = {
  "color": "#e5a000",
  "createdDate": "2026-11-21T10:30:00.000Z",
  "description": "The dispatch was delayed",
  "displayName": "Dispatch late",
  "id": "4cebbaf2-053e-5471-b13b-b5938696a270",
  "isActive": true,
  "journey": {
    "patterns": [
      {
        "count": 1,
        "criteria": [
          {
            "key": "attributes.reason",
            "operator": "equal",
            "shouldIgnoreCase": true,
            "values": [
              "weather"
            ]
          }
        ],
        "eventName": "dispatch_delayed",
        "sessionType": "delivery",
        "streamType": "Custom"
      }
    ]
  },
  "modifiedDate": "2026-11-21T10:30:00.000Z",
  "scope": "Session",
  "selfUri": "/api/v2/journey/segments/4cebbaf2-053e-5471-b13b-b5938696a270",
  "shouldDisplayToAgent": true,
  "version": 2
};

// GET /api/v2/journey/segments (empty)
export const a4: Models.SegmentListing = {
  "entities": [],
  "firstUri": "/api/v2/journey/segments?pageSize=25&pageNumber=1",
  "lastUri": "/api/v2/journey/segments?pageSize=25&pageNumber=1",
  "pageCount": 0,
  "pageNumber": 1,
  "pageSize": 25,
  "selfUri": "/api/v2/journey/segments?pageSize=25&pageNumber=1",
  "total": 0
};

// GET /api/v2/journey/segments?pageSize=2&pageNumber=1
export const a5: Models.SegmentListing = {
  "entities": [
    {
      "color": "#e5a000",
      "createdDate": "2026-11-21T10:30:00.000Z",
      "description": "The dispatch was delayed",
      "displayName": "Segment 1",
      "id": "2162f701-d0d7-5ac1-8952-260ee6d13e6d",
      "isActive": true,
      "journey": {
        "patterns": [
          {
            "count": 1,
            "criteria": [
              {
                "key": "attributes.reason",
                "operator": "equal",
                "shouldIgnoreCase": true,
                "values": [
                  "weather"
                ]
              }
            ],
            "eventName": "dispatch_delayed",
            "sessionType": "delivery",
            "streamType": "Custom"
          }
        ]
      },
      "modifiedDate": "2026-11-21T10:30:00.000Z",
      "scope": "Session",
      "selfUri": "/api/v2/journey/segments/2162f701-d0d7-5ac1-8952-260ee6d13e6d",
      "shouldDisplayToAgent": true,
      "version": 1
    },
    {
      "color": "#e5a000",
      "createdDate": "2026-11-21T10:30:00.000Z",
      "description": "The dispatch was delayed",
      "displayName": "Segment 4",
      "id": "2272f83b-fd74-5e5a-b78d-39c0957fda64",
      "isActive": true,
      "journey": {
        "patterns": [
          {
            "count": 1,
            "criteria": [
              {
                "key": "attributes.reason",
                "operator": "equal",
                "shouldIgnoreCase": true,
                "values": [
                  "weather"
                ]
              }
            ],
            "eventName": "dispatch_delayed",
            "sessionType": "delivery",
            "streamType": "Custom"
          }
        ]
      },
      "modifiedDate": "2026-11-21T10:30:00.000Z",
      "scope": "Session",
      "selfUri": "/api/v2/journey/segments/2272f83b-fd74-5e5a-b78d-39c0957fda64",
      "shouldDisplayToAgent": true,
      "version": 1
    }
  ],
  "firstUri": "/api/v2/journey/segments?pageSize=2&pageNumber=1",
  "lastUri": "/api/v2/journey/segments?pageSize=2&pageNumber=3",
  "nextUri": "/api/v2/journey/segments?pageSize=2&pageNumber=2",
  "pageCount": 3,
  "pageNumber": 1,
  "pageSize": 2,
  "selfUri": "/api/v2/journey/segments?pageSize=2&pageNumber=1",
  "total": 5
};

// GET /api/v2/journey/segments?pageSize=2&pageNumber=2
export const a6: Models.SegmentListing = {
  "entities": [
    {
      "color": "#e5a000",
      "createdDate": "2026-11-21T10:30:00.000Z",
      "description": "The dispatch was delayed",
      "displayName": "Segment 3",
      "id": "a33c44a6-71d0-5c69-813e-d8106f897760",
      "isActive": true,
      "journey": {
        "patterns": [
          {
            "count": 1,
            "criteria": [
              {
                "key": "attributes.reason",
                "operator": "equal",
                "shouldIgnoreCase": true,
                "values": [
                  "weather"
                ]
              }
            ],
            "eventName": "dispatch_delayed",
            "sessionType": "delivery",
            "streamType": "Custom"
          }
        ]
      },
      "modifiedDate": "2026-11-21T10:30:00.000Z",
      "scope": "Session",
      "selfUri": "/api/v2/journey/segments/a33c44a6-71d0-5c69-813e-d8106f897760",
      "shouldDisplayToAgent": true,
      "version": 1
    },
    {
      "color": "#e5a000",
      "createdDate": "2026-11-21T10:30:00.000Z",
      "description": "The dispatch was delayed",
      "displayName": "Segment 2",
      "id": "f42d9ed1-a0ac-5437-91fa-64b294b2031b",
      "isActive": true,
      "journey": {
        "patterns": [
          {
            "count": 1,
            "criteria": [
              {
                "key": "attributes.reason",
                "operator": "equal",
                "shouldIgnoreCase": true,
                "values": [
                  "weather"
                ]
              }
            ],
            "eventName": "dispatch_delayed",
            "sessionType": "delivery",
            "streamType": "Custom"
          }
        ]
      },
      "modifiedDate": "2026-11-21T10:30:00.000Z",
      "scope": "Session",
      "selfUri": "/api/v2/journey/segments/f42d9ed1-a0ac-5437-91fa-64b294b2031b",
      "shouldDisplayToAgent": true,
      "version": 1
    }
  ],
  "firstUri": "/api/v2/journey/segments?pageSize=2&pageNumber=1",
  "lastUri": "/api/v2/journey/segments?pageSize=2&pageNumber=3",
  "nextUri": "/api/v2/journey/segments?pageSize=2&pageNumber=3",
  "pageCount": 3,
  "pageNumber": 2,
  "pageSize": 2,
  "previousUri": "/api/v2/journey/segments?pageSize=2&pageNumber=1",
  "selfUri": "/api/v2/journey/segments?pageSize=2&pageNumber=2",
  "total": 5
};

// GET /api/v2/journey/segments?pageSize=2&pageNumber=3
export const a7: Models.SegmentListing = {
  "entities": [
    {
      "color": "#e5a000",
      "createdDate": "2026-11-21T10:30:00.000Z",
      "description": "The dispatch was delayed",
      "displayName": "Segment 0",
      "id": "fa381d7d-50cc-5ade-b057-12620cb7d519",
      "isActive": true,
      "journey": {
        "patterns": [
          {
            "count": 1,
            "criteria": [
              {
                "key": "attributes.reason",
                "operator": "equal",
                "shouldIgnoreCase": true,
                "values": [
                  "weather"
                ]
              }
            ],
            "eventName": "dispatch_delayed",
            "sessionType": "delivery",
            "streamType": "Custom"
          }
        ]
      },
      "modifiedDate": "2026-11-21T10:30:00.000Z",
      "scope": "Session",
      "selfUri": "/api/v2/journey/segments/fa381d7d-50cc-5ade-b057-12620cb7d519",
      "shouldDisplayToAgent": true,
      "version": 1
    }
  ],
  "firstUri": "/api/v2/journey/segments?pageSize=2&pageNumber=1",
  "lastUri": "/api/v2/journey/segments?pageSize=2&pageNumber=3",
  "pageCount": 3,
  "pageNumber": 3,
  "pageSize": 2,
  "previousUri": "/api/v2/journey/segments?pageSize=2&pageNumber=2",
  "selfUri": "/api/v2/journey/segments?pageSize=2&pageNumber=3",
  "total": 5
};

// POST /api/v2/journey/actionmaps
export const a8: Models.ActionMap = {
  "action": {
    "mediaType": "webMessagingOffer",
    "webMessagingOfferFields": {
      "offerText": "Where is my parcel?"
    }
  },
  "activation": {
    "type": "immediate"
  },
  "createdDate": "2026-11-21T10:30:00.000Z",
  "displayName": "Offer messaging when the dispatch is late",
  "id": "d7c91a58-9b3a-5882-bd5a-d7604c79fcba",
  "ignoreFrequencyCap": false,
  "isActive": true,
  "modifiedDate": "2026-11-21T10:30:00.000Z",
  "selfUri": "/api/v2/journey/actionmaps/d7c91a58-9b3a-5882-bd5a-d7604c79fcba",
  "startDate": "2026-11-01T00:00:00Z",
  "triggerWithSegments": [
    "4cebbaf2-053e-5471-b13b-b5938696a270"
  ],
  "version": 1,
  "weight": 2
};

// GET /api/v2/journey/actionmaps/{id}
export const a9: Models.ActionMap = {
  "action": {
    "mediaType": "webMessagingOffer",
    "webMessagingOfferFields": {
      "offerText": "Where is my parcel?"
    }
  },
  "activation": {
    "type": "immediate"
  },
  "createdDate": "2026-11-21T10:30:00.000Z",
  "displayName": "Offer messaging when the dispatch is late",
  "id": "d7c91a58-9b3a-5882-bd5a-d7604c79fcba",
  "ignoreFrequencyCap": false,
  "isActive": true,
  "modifiedDate": "2026-11-21T10:30:00.000Z",
  "selfUri": "/api/v2/journey/actionmaps/d7c91a58-9b3a-5882-bd5a-d7604c79fcba",
  "startDate": "2026-11-01T00:00:00Z",
  "triggerWithSegments": [
    "4cebbaf2-053e-5471-b13b-b5938696a270"
  ],
  "version": 1,
  "weight": 2
};

// GET /api/v2/journey/actionmaps
export const a10: Models.ActionMapListing = {
  "entities": [
    {
      "action": {
        "mediaType": "webMessagingOffer",
        "webMessagingOfferFields": {
          "offerText": "Where is my parcel?"
        }
      },
      "activation": {
        "type": "immediate"
      },
      "createdDate": "2026-11-21T10:30:00.000Z",
      "displayName": "Offer messaging when the dispatch is late",
      "id": "d7c91a58-9b3a-5882-bd5a-d7604c79fcba",
      "ignoreFrequencyCap": false,
      "isActive": true,
      "modifiedDate": "2026-11-21T10:30:00.000Z",
      "selfUri": "/api/v2/journey/actionmaps/d7c91a58-9b3a-5882-bd5a-d7604c79fcba",
      "startDate": "2026-11-01T00:00:00Z",
      "triggerWithSegments": [
        "4cebbaf2-053e-5471-b13b-b5938696a270"
      ],
      "version": 1,
      "weight": 2
    }
  ],
  "firstUri": "/api/v2/journey/actionmaps?pageSize=25&pageNumber=1",
  "lastUri": "/api/v2/journey/actionmaps?pageSize=25&pageNumber=1",
  "pageCount": 1,
  "pageNumber": 1,
  "pageSize": 25,
  "selfUri": "/api/v2/journey/actionmaps?pageSize=25&pageNumber=1",
  "total": 1
};

// PATCH /api/v2/journey/actionmaps/{id}
export const a11: Models.ActionMap = {
  "action": {
    "mediaType": "webMessagingOffer",
    "webMessagingOfferFields": {
      "offerText": "Where is my parcel?"
    }
  },
  "activation": {
    "type": "immediate"
  },
  "createdDate": "2026-11-21T10:30:00.000Z",
  "displayName": "Offer messaging when the dispatch is late",
  "id": "d7c91a58-9b3a-5882-bd5a-d7604c79fcba",
  "ignoreFrequencyCap": false,
  "isActive": true,
  "modifiedDate": "2026-11-21T10:30:00.000Z",
  "selfUri": "/api/v2/journey/actionmaps/d7c91a58-9b3a-5882-bd5a-d7604c79fcba",
  "startDate": "2026-11-01T00:00:00Z",
  "triggerWithSegments": [
    "4cebbaf2-053e-5471-b13b-b5938696a270"
  ],
  "version": 2,
  "weight": 3
};

// POST /api/v2/journey/outcomes
export const a12: Models.Outcome = {
  "associatedValueField": {
    "dataType": "Number",
    "name": "attributes.price"
  },
  "createdDate": "2026-11-21T10:30:00.000Z",
  "displayName": "Purchased",
  "id": "5d28f9eb-be4b-527d-be8e-65167f338c83",
  "isActive": true,
  "isPositive": true,
  "journey": {
    "patterns": [
      {
        "count": 1,
        "criteria": [],
        "eventName": "product_purchased",
        "sessionType": "delivery",
        "streamType": "Custom"
      }
    ]
  },
  "modifiedDate": "2026-11-21T10:30:00.000Z",
  "selfUri": "/api/v2/journey/outcomes/5d28f9eb-be4b-527d-be8e-65167f338c83",
  "version": 1
};

// GET /api/v2/journey/outcomes/{id}
export const a13: Models.Outcome = {
  "associatedValueField": {
    "dataType": "Number",
    "name": "attributes.price"
  },
  "createdDate": "2026-11-21T10:30:00.000Z",
  "displayName": "Purchased",
  "id": "5d28f9eb-be4b-527d-be8e-65167f338c83",
  "isActive": true,
  "isPositive": true,
  "journey": {
    "patterns": [
      {
        "count": 1,
        "criteria": [],
        "eventName": "product_purchased",
        "sessionType": "delivery",
        "streamType": "Custom"
      }
    ]
  },
  "modifiedDate": "2026-11-21T10:30:00.000Z",
  "selfUri": "/api/v2/journey/outcomes/5d28f9eb-be4b-527d-be8e-65167f338c83",
  "version": 1
};

// GET /api/v2/journey/outcomes
export const a14: Models.OutcomeListing = {
  "entities": [
    {
      "associatedValueField": {
        "dataType": "Number",
        "name": "attributes.price"
      },
      "createdDate": "2026-11-21T10:30:00.000Z",
      "displayName": "Purchased",
      "id": "5d28f9eb-be4b-527d-be8e-65167f338c83",
      "isActive": true,
      "isPositive": true,
      "journey": {
        "patterns": [
          {
            "count": 1,
            "criteria": [],
            "eventName": "product_purchased",
            "sessionType": "delivery",
            "streamType": "Custom"
          }
        ]
      },
      "modifiedDate": "2026-11-21T10:30:00.000Z",
      "selfUri": "/api/v2/journey/outcomes/5d28f9eb-be4b-527d-be8e-65167f338c83",
      "version": 1
    }
  ],
  "firstUri": "/api/v2/journey/outcomes?pageSize=25&pageNumber=1",
  "lastUri": "/api/v2/journey/outcomes?pageSize=25&pageNumber=1",
  "pageCount": 1,
  "pageNumber": 1,
  "pageSize": 25,
  "selfUri": "/api/v2/journey/outcomes?pageSize=25&pageNumber=1",
  "total": 1
};

// PATCH /api/v2/journey/outcomes/{id}
export const a15: Models.Outcome = {
  "associatedValueField": {
    "dataType": "Number",
    "name": "attributes.price"
  },
  "createdDate": "2026-11-21T10:30:00.000Z",
  "displayName": "Purchased",
  "id": "5d28f9eb-be4b-527d-be8e-65167f338c83",
  "isActive": true,
  "isPositive": false,
  "journey": {
    "patterns": [
      {
        "count": 1,
        "criteria": [],
        "eventName": "product_purchased",
        "sessionType": "delivery",
        "streamType": "Custom"
      }
    ]
  },
  "modifiedDate": "2026-11-21T10:30:00.000Z",
  "selfUri": "/api/v2/journey/outcomes/5d28f9eb-be4b-527d-be8e-65167f338c83",
  "version": 2
};

// GET /api/v2/externalcontacts/contacts/{contactId}/journey/sessions (page 1)
export const a16: Models.SessionListing = {
  "entities": [
    {
      "attributes": {
        "eta": {
          "dataType": "string",
          "value": "2026-11-24T12:00:00Z"
        },
        "location": {
          "dataType": "string",
          "value": "Dana's front door"
        },
        "orderId": {
          "dataType": "string",
          "value": "order-1234"
        }
      },
      "createdDate": "2026-11-21T09:05:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "divisionIds": [],
      "endedDate": "2026-11-21T10:30:00.000Z",
      "eventCount": 6,
      "externalId": "order-1234",
      "id": "5fb090ea-4297-5936-8837-dc2d73a3a3a6",
      "lastEvent": {
        "createdDate": "2026-11-21T10:30:00.000Z",
        "eventName": "item_delivered",
        "id": "32d52cec-edff-5eb7-b9c3-84454e086140"
      },
      "mergedSessionIds": [],
      "outcomeAchievements": [],
      "segmentAssignments": [
        {
          "assignedDate": "2026-11-21T09:20:00.000Z",
          "segment": {
            "id": "4cebbaf2-053e-5471-b13b-b5938696a270",
            "selfUri": "/api/v2/journey/segments/4cebbaf2-053e-5471-b13b-b5938696a270"
          }
        }
      ],
      "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6",
      "status": "ended",
      "type": "delivery"
    }
  ],
  "nextUri": "/api/v2/externalcontacts/contacts/email:dana@example.com/journey/sessions?pageSize=1&after=j000001a1fda7e0405fb090ea429759368837dc2d73a3a3a6",
  "previousUri": null,
  "selfUri": "/api/v2/externalcontacts/contacts/email:dana@example.com/journey/sessions?pageSize=1"
};

// GET /api/v2/externalcontacts/contacts/{contactId}/journey/sessions (page 2)
export const a17: Models.SessionListing = {
  "entities": [
    {
      "attributes": {},
      "conversationChannels": [
        {
          "type": "Call"
        }
      ],
      "createdDate": "2026-11-21T09:14:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "divisionIds": [],
      "endedDate": "2026-11-21T09:31:00.000Z",
      "eventCount": 7,
      "externalId": "call-777",
      "id": "d3fd987d-28f0-5339-a23d-614c9ed8c503",
      "lastConnectedUser": {
        "id": "agent-bo"
      },
      "lastEvent": {
        "createdDate": "2026-11-21T09:32:00.000Z",
        "eventName": "wrapup",
        "id": "5df87954-d80c-53be-a62e-6da495bf919b"
      },
      "mergedSessionIds": [],
      "originatingDirection": "Inbound",
      "outcomeAchievements": [],
      "segmentAssignments": [],
      "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503",
      "status": "ended",
      "type": "conversation"
    }
  ],
  "nextUri": "/api/v2/externalcontacts/contacts/email:dana@example.com/journey/sessions?pageSize=1&after=j000001a1fd72c680d3fd987d28f05339a23d614c9ed8c503",
  "previousUri": null,
  "selfUri": "/api/v2/externalcontacts/contacts/email:dana@example.com/journey/sessions?pageSize=1&after=j000001a1fda7e0405fb090ea429759368837dc2d73a3a3a6"
};

// GET /api/v2/externalcontacts/contacts/{contactId}/journey/sessions (page 3)
export const a18: Models.SessionListing = {
  "entities": [
    {
      "attributes": {
        "page": {
          "dataType": "string",
          "value": "/bikes/custom-builder"
        }
      },
      "createdDate": "2026-11-21T08:58:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "divisionIds": [],
      "endedDate": null,
      "eventCount": 2,
      "externalId": null,
      "id": "9f189b9b-9e53-58a2-8c21-6ba7f4ce230e",
      "lastEvent": {
        "createdDate": "2026-11-21T09:00:00.000Z",
        "eventName": "page_viewed",
        "id": "3655a794-8d70-5896-8c84-6be6bf4017d9"
      },
      "mergedSessionIds": [],
      "outcomeAchievements": [],
      "segmentAssignments": [],
      "selfUri": "/api/v2/journey/sessions/9f189b9b-9e53-58a2-8c21-6ba7f4ce230e",
      "status": "inactive",
      "type": "web"
    }
  ],
  "previousUri": null,
  "selfUri": "/api/v2/externalcontacts/contacts/email:dana@example.com/journey/sessions?pageSize=1&after=j000001a1fd72c680d3fd987d28f05339a23d614c9ed8c503"
};

// GET /api/v2/externalcontacts/contacts/{contactId}/journey/sessions
export const a19: Models.SessionListing = {
  "entities": [
    {
      "attributes": {
        "eta": {
          "dataType": "string",
          "value": "2026-11-24T12:00:00Z"
        },
        "location": {
          "dataType": "string",
          "value": "Dana's front door"
        },
        "orderId": {
          "dataType": "string",
          "value": "order-1234"
        }
      },
      "createdDate": "2026-11-21T09:05:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "divisionIds": [],
      "endedDate": "2026-11-21T10:30:00.000Z",
      "eventCount": 6,
      "externalId": "order-1234",
      "id": "5fb090ea-4297-5936-8837-dc2d73a3a3a6",
      "lastEvent": {
        "createdDate": "2026-11-21T10:30:00.000Z",
        "eventName": "item_delivered",
        "id": "32d52cec-edff-5eb7-b9c3-84454e086140"
      },
      "mergedSessionIds": [],
      "outcomeAchievements": [],
      "segmentAssignments": [
        {
          "assignedDate": "2026-11-21T09:20:00.000Z",
          "segment": {
            "id": "4cebbaf2-053e-5471-b13b-b5938696a270",
            "selfUri": "/api/v2/journey/segments/4cebbaf2-053e-5471-b13b-b5938696a270"
          }
        }
      ],
      "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6",
      "status": "ended",
      "type": "delivery"
    },
    {
      "attributes": {},
      "conversationChannels": [
        {
          "type": "Call"
        }
      ],
      "createdDate": "2026-11-21T09:14:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "divisionIds": [],
      "endedDate": "2026-11-21T09:31:00.000Z",
      "eventCount": 7,
      "externalId": "call-777",
      "id": "d3fd987d-28f0-5339-a23d-614c9ed8c503",
      "lastConnectedUser": {
        "id": "agent-bo"
      },
      "lastEvent": {
        "createdDate": "2026-11-21T09:32:00.000Z",
        "eventName": "wrapup",
        "id": "5df87954-d80c-53be-a62e-6da495bf919b"
      },
      "mergedSessionIds": [],
      "originatingDirection": "Inbound",
      "outcomeAchievements": [],
      "segmentAssignments": [],
      "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503",
      "status": "ended",
      "type": "conversation"
    },
    {
      "attributes": {
        "page": {
          "dataType": "string",
          "value": "/bikes/custom-builder"
        }
      },
      "createdDate": "2026-11-21T08:58:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "divisionIds": [],
      "endedDate": null,
      "eventCount": 2,
      "externalId": null,
      "id": "9f189b9b-9e53-58a2-8c21-6ba7f4ce230e",
      "lastEvent": {
        "createdDate": "2026-11-21T09:00:00.000Z",
        "eventName": "page_viewed",
        "id": "3655a794-8d70-5896-8c84-6be6bf4017d9"
      },
      "mergedSessionIds": [],
      "outcomeAchievements": [],
      "segmentAssignments": [],
      "selfUri": "/api/v2/journey/sessions/9f189b9b-9e53-58a2-8c21-6ba7f4ce230e",
      "status": "inactive",
      "type": "web"
    }
  ],
  "previousUri": null,
  "selfUri": "/api/v2/externalcontacts/contacts/email:dana@example.com/journey/sessions"
};

// GET /api/v2/externalcontacts/contacts/{contactId}/journey/sessions (unknown contact)
export const a20: Models.SessionListing = {
  "entities": [],
  "previousUri": null,
  "selfUri": "/api/v2/externalcontacts/contacts/email:nobody@example.com/journey/sessions"
};

// GET /api/v2/journey/sessions/{sessionId} (delivery)
export const a21: Models.Session = {
  "attributes": {
    "eta": {
      "dataType": "string",
      "value": "2026-11-24T12:00:00Z"
    },
    "location": {
      "dataType": "string",
      "value": "Dana's front door"
    },
    "orderId": {
      "dataType": "string",
      "value": "order-1234"
    }
  },
  "createdDate": "2026-11-21T09:05:00.000Z",
  "customerId": "dana@example.com",
  "customerIdType": "email",
  "divisionIds": [],
  "endedDate": "2026-11-21T10:30:00.000Z",
  "eventCount": 6,
  "externalId": "order-1234",
  "id": "5fb090ea-4297-5936-8837-dc2d73a3a3a6",
  "lastEvent": {
    "createdDate": "2026-11-21T10:30:00.000Z",
    "eventName": "item_delivered",
    "id": "32d52cec-edff-5eb7-b9c3-84454e086140"
  },
  "mergedSessionIds": [],
  "outcomeAchievements": [],
  "segmentAssignments": [
    {
      "assignedDate": "2026-11-21T09:20:00.000Z",
      "segment": {
        "id": "4cebbaf2-053e-5471-b13b-b5938696a270",
        "selfUri": "/api/v2/journey/segments/4cebbaf2-053e-5471-b13b-b5938696a270"
      }
    }
  ],
  "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6",
  "status": "ended",
  "type": "delivery"
};

// GET /api/v2/journey/sessions/{sessionId}/events (delivery, page 1)
export const a22: Models.EventListing = {
  "entities": [
    {
      "appEvent": {
        "attributes": {
          "orderId": {
            "dataType": "string",
            "value": "order-1234"
          },
          "price": {
            "dataType": "number",
            "value": "1899.0"
          },
          "product": {
            "dataType": "string",
            "value": "Custom bike"
          }
        },
        "eventName": "product_purchased"
      },
      "createdDate": "2026-11-21T09:05:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "6f668d5d-2a8a-51aa-8702-6b869ca64ce0",
      "session": {
        "id": "5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "type": "delivery"
      }
    },
    {
      "appEvent": {
        "attributes": {
          "eta": {
            "dataType": "string",
            "value": "2026-11-24T12:00:00Z"
          },
          "reason": {
            "dataType": "string",
            "value": "Gear hub out of stock"
          }
        },
        "eventName": "dispatch_delayed"
      },
      "createdDate": "2026-11-21T09:20:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "8059c9c7-61eb-5e51-8d8b-2e9621aa919f",
      "session": {
        "id": "5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "type": "delivery"
      }
    },
    {
      "appEvent": {
        "attributes": {
          "location": {
            "dataType": "string",
            "value": "Depot 7"
          }
        },
        "eventName": "in_transit"
      },
      "createdDate": "2026-11-21T09:40:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "790d20ae-0241-5579-9a03-1f77ee1ad197",
      "session": {
        "id": "5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "type": "delivery"
      }
    }
  ],
  "nextUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6/events?pageSize=3&after=e000001a1fd7a1980790d20ae024155799a031f77ee1ad197",
  "previousUri": null,
  "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6/events?pageSize=3"
};

// GET /api/v2/journey/sessions/{sessionId}/events (delivery, page 2)
export const a23: Models.EventListing = {
  "entities": [
    {
      "appEvent": {
        "attributes": {
          "location": {
            "dataType": "string",
            "value": "Ring road"
          }
        },
        "eventName": "in_transit"
      },
      "createdDate": "2026-11-21T09:55:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "4f17f5db-cd1f-5beb-8bfb-b5cc666f9093",
      "session": {
        "id": "5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "type": "delivery"
      }
    },
    {
      "appEvent": {
        "attributes": {
          "location": {
            "dataType": "string",
            "value": "Main St, 2 km away"
          }
        },
        "eventName": "in_transit"
      },
      "createdDate": "2026-11-21T10:10:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "984efca9-3780-5950-ad4a-0558737903ed",
      "session": {
        "id": "5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "type": "delivery"
      }
    },
    {
      "appEvent": {
        "attributes": {
          "location": {
            "dataType": "string",
            "value": "Dana's front door"
          },
          "signedBy": {
            "dataType": "string",
            "value": "Dana"
          }
        },
        "eventName": "item_delivered"
      },
      "createdDate": "2026-11-21T10:30:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "32d52cec-edff-5eb7-b9c3-84454e086140",
      "session": {
        "id": "5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "type": "delivery"
      }
    }
  ],
  "previousUri": null,
  "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6/events?pageSize=3&after=e000001a1fd7a1980790d20ae024155799a031f77ee1ad197"
};

// GET /api/v2/journey/sessions/{sessionId} (conversation)
export const a24: Models.Session = {
  "attributes": {},
  "conversationChannels": [
    {
      "type": "Call"
    }
  ],
  "createdDate": "2026-11-21T09:14:00.000Z",
  "customerId": "dana@example.com",
  "customerIdType": "email",
  "divisionIds": [],
  "endedDate": "2026-11-21T09:31:00.000Z",
  "eventCount": 7,
  "externalId": "call-777",
  "id": "d3fd987d-28f0-5339-a23d-614c9ed8c503",
  "lastConnectedUser": {
    "id": "agent-bo"
  },
  "lastEvent": {
    "createdDate": "2026-11-21T09:32:00.000Z",
    "eventName": "wrapup",
    "id": "5df87954-d80c-53be-a62e-6da495bf919b"
  },
  "mergedSessionIds": [],
  "originatingDirection": "Inbound",
  "outcomeAchievements": [],
  "segmentAssignments": [],
  "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503",
  "status": "ended",
  "type": "conversation"
};

// GET /api/v2/journey/sessions/{sessionId}/events (conversation, page 1)
export const a25: Models.EventListing = {
  "entities": [
    {
      "appEvent": {
        "attributes": {
          "channel": {
            "dataType": "string",
            "value": "voice"
          },
          "direction": {
            "dataType": "string",
            "value": "inbound"
          }
        },
        "eventName": "conversation_started"
      },
      "createdDate": "2026-11-21T09:14:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "a4823f54-a251-5ec9-9379-62d976923746",
      "session": {
        "id": "d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "type": "conversation"
      }
    },
    {
      "appEvent": {
        "attributes": {
          "queueId": {
            "dataType": "string",
            "value": "q-sales"
          }
        },
        "eventName": "queue_joined"
      },
      "createdDate": "2026-11-21T09:14:05.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "ea76925f-afe0-58d9-8808-f1233e620b26",
      "session": {
        "id": "d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "type": "conversation"
      }
    },
    {
      "appEvent": {
        "attributes": {
          "agentId": {
            "dataType": "string",
            "value": "agent-ann"
          },
          "queueId": {
            "dataType": "string",
            "value": "q-sales"
          }
        },
        "eventName": "agent_connected"
      },
      "createdDate": "2026-11-21T09:14:20.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "22713c19-d192-5134-8590-fa56ec8cbd6c",
      "session": {
        "id": "d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "type": "conversation"
      }
    }
  ],
  "nextUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503/events?pageSize=3&after=e000001a1fd6299e022713c19d19251348590fa56ec8cbd6c",
  "previousUri": null,
  "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503/events?pageSize=3"
};

// GET /api/v2/journey/sessions/{sessionId}/events (conversation, page 2)
export const a26: Models.EventListing = {
  "entities": [
    {
      "appEvent": {
        "attributes": {
          "toQueueId": {
            "dataType": "string",
            "value": "q-deliveries"
          }
        },
        "eventName": "transferred"
      },
      "createdDate": "2026-11-21T09:14:50.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "5821dfea-ef10-5f1e-85a6-aca98e2074b9",
      "session": {
        "id": "d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "type": "conversation"
      }
    },
    {
      "appEvent": {
        "attributes": {
          "agentId": {
            "dataType": "string",
            "value": "agent-bo"
          },
          "queueId": {
            "dataType": "string",
            "value": "q-deliveries"
          }
        },
        "eventName": "agent_connected"
      },
      "createdDate": "2026-11-21T09:15:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "b3a0e181-df8d-515c-99e4-5befc0bee4d1",
      "session": {
        "id": "d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "type": "conversation"
      }
    },
    {
      "appEvent": {
        "attributes": {},
        "eventName": "conversation_ended"
      },
      "createdDate": "2026-11-21T09:31:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "9cbbeb3c-526c-5202-873c-f080ee04da4d",
      "session": {
        "id": "d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "type": "conversation"
      }
    }
  ],
  "nextUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503/events?pageSize=3&after=e000001a1fd71dc209cbbeb3c526c5202873cf080ee04da4d",
  "previousUri": null,
  "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503/events?pageSize=3&after=e000001a1fd6299e022713c19d19251348590fa56ec8cbd6c"
};

// GET /api/v2/journey/sessions/{sessionId}/events (conversation, page 3)
export const a27: Models.EventListing = {
  "entities": [
    {
      "appEvent": {
        "attributes": {
          "code": {
            "dataType": "string",
            "value": "delivery-delay"
          }
        },
        "eventName": "wrapup"
      },
      "createdDate": "2026-11-21T09:32:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "5df87954-d80c-53be-a62e-6da495bf919b",
      "session": {
        "id": "d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503",
        "type": "conversation"
      }
    }
  ],
  "previousUri": null,
  "selfUri": "/api/v2/journey/sessions/d3fd987d-28f0-5339-a23d-614c9ed8c503/events?pageSize=3&after=e000001a1fd71dc209cbbeb3c526c5202873cf080ee04da4d"
};

// GET /api/v2/journey/sessions/{sessionId} (web)
export const a28: Models.Session = {
  "attributes": {
    "page": {
      "dataType": "string",
      "value": "/bikes/custom-builder"
    }
  },
  "createdDate": "2026-11-21T08:58:00.000Z",
  "customerId": "dana@example.com",
  "customerIdType": "email",
  "divisionIds": [],
  "endedDate": null,
  "eventCount": 2,
  "externalId": null,
  "id": "9f189b9b-9e53-58a2-8c21-6ba7f4ce230e",
  "lastEvent": {
    "createdDate": "2026-11-21T09:00:00.000Z",
    "eventName": "page_viewed",
    "id": "3655a794-8d70-5896-8c84-6be6bf4017d9"
  },
  "mergedSessionIds": [],
  "outcomeAchievements": [],
  "segmentAssignments": [],
  "selfUri": "/api/v2/journey/sessions/9f189b9b-9e53-58a2-8c21-6ba7f4ce230e",
  "status": "inactive",
  "type": "web"
};

// GET /api/v2/journey/sessions/{sessionId}/events (web, page 1)
export const a29: Models.EventListing = {
  "entities": [
    {
      "createdDate": "2026-11-21T08:58:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.WebEvent",
      "id": "6f78119c-7aaf-58e2-8e02-39c269b3d1e4",
      "session": {
        "id": "9f189b9b-9e53-58a2-8c21-6ba7f4ce230e",
        "selfUri": "/api/v2/journey/sessions/9f189b9b-9e53-58a2-8c21-6ba7f4ce230e",
        "type": "web"
      },
      "webEvent": {
        "attributes": {
          "page": {
            "dataType": "string",
            "value": "/bikes"
          }
        },
        "eventName": "page_viewed"
      }
    },
    {
      "createdDate": "2026-11-21T09:00:00.000Z",
      "customerId": "dana@example.com",
      "customerIdType": "email",
      "eventType": "com.genesys.journey.WebEvent",
      "id": "3655a794-8d70-5896-8c84-6be6bf4017d9",
      "session": {
        "id": "9f189b9b-9e53-58a2-8c21-6ba7f4ce230e",
        "selfUri": "/api/v2/journey/sessions/9f189b9b-9e53-58a2-8c21-6ba7f4ce230e",
        "type": "web"
      },
      "webEvent": {
        "attributes": {
          "page": {
            "dataType": "string",
            "value": "/bikes/custom-builder"
          }
        },
        "eventName": "page_viewed"
      }
    }
  ],
  "previousUri": null,
  "selfUri": "/api/v2/journey/sessions/9f189b9b-9e53-58a2-8c21-6ba7f4ce230e/events?pageSize=3"
};

// GET /api/v2/externalcontacts/contacts/{contactId}/journey/segments
export const a30: Models.SegmentAssignmentListing = {
  "entities": [
    {
      "dateAssigned": "2026-11-21T09:20:00.000Z",
      "dateForUnassignment": null,
      "externalContact": {
        "id": "email:dana@example.com"
      },
      "segment": {
        "id": "4cebbaf2-053e-5471-b13b-b5938696a270",
        "selfUri": "/api/v2/journey/segments/4cebbaf2-053e-5471-b13b-b5938696a270"
      },
      "session": {
        "id": "5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "selfUri": "/api/v2/journey/sessions/5fb090ea-4297-5936-8837-dc2d73a3a3a6",
        "type": "delivery"
      }
    }
  ]
};

// POST /api/v2/journey/deployments/{deploymentId}/appevents
export const a31: Models.AppEventResponse = {
  "attributes": {
    "cartItems": {
      "dataType": "integer",
      "value": "3"
    }
  },
  "createdDate": "2026-11-21T10:20:00Z",
  "customerId": "6a1c3a8e-0000-4000-8000-000000000042",
  "customerIdType": "cookie",
  "eventName": "screen_viewed",
  "id": "c40e493e-048b-5c25-87a5-415a9a48ef28",
  "screenName": "Cart",
  "session": {
    "id": "357b93b8-d1ca-544b-8af7-3593320cc3ff"
  }
};

// GET /api/v2/journey/sessions/{sessionId}/events (app)
export const a32: Models.EventListing = {
  "entities": [
    {
      "appEvent": {
        "attributes": {
          "cartItems": {
            "dataType": "integer",
            "value": "3"
          }
        },
        "eventName": "screen_viewed",
        "screenName": "Cart"
      },
      "createdDate": "2026-11-21T10:20:00.000Z",
      "customerId": "6a1c3a8e-0000-4000-8000-000000000042",
      "customerIdType": "cookie",
      "eventType": "com.genesys.journey.AppEvent",
      "id": "c40e493e-048b-5c25-87a5-415a9a48ef28",
      "session": {
        "id": "357b93b8-d1ca-544b-8af7-3593320cc3ff",
        "selfUri": "/api/v2/journey/sessions/357b93b8-d1ca-544b-8af7-3593320cc3ff",
        "type": "app"
      }
    }
  ],
  "previousUri": null,
  "selfUri": "/api/v2/journey/sessions/357b93b8-d1ca-544b-8af7-3593320cc3ff/events"
};

// GET /api/v2/journey/sessions/{sessionId} (app)
export const a33: Models.Session = {
  "attributes": {},
  "createdDate": "2026-11-21T10:20:00.000Z",
  "customerId": "6a1c3a8e-0000-4000-8000-000000000042",
  "customerIdType": "cookie",
  "divisionIds": [],
  "endedDate": null,
  "eventCount": 1,
  "externalId": null,
  "id": "357b93b8-d1ca-544b-8af7-3593320cc3ff",
  "lastEvent": {
    "createdDate": "2026-11-21T10:20:00.000Z",
    "eventName": "screen_viewed",
    "id": "c40e493e-048b-5c25-87a5-415a9a48ef28"
  },
  "mergedSessionIds": [],
  "outcomeAchievements": [],
  "segmentAssignments": [],
  "selfUri": "/api/v2/journey/sessions/357b93b8-d1ca-544b-8af7-3593320cc3ff",
  "status": "inactive",
  "type": "app"
};

// POST /api/v2/journey/actionmaps (content offer)
export const a34: Models.ActionMap = {
  "action": {
    "actionTemplate": {
      "id": "bike-guide"
    },
    "mediaType": "contentOffer"
  },
  "activation": {
    "type": "immediate"
  },
  "createdDate": "2026-11-21T10:30:00.000Z",
  "displayName": "Offer the bike guide",
  "id": "a21938d1-eb6e-5272-8ea3-46c1de491092",
  "ignoreFrequencyCap": false,
  "isActive": true,
  "modifiedDate": "2026-11-21T10:30:00.000Z",
  "selfUri": "/api/v2/journey/actionmaps/a21938d1-eb6e-5272-8ea3-46c1de491092",
  "triggerWithEventConditions": [
    {
      "eventName": "page_viewed",
      "key": "attributes.page",
      "operator": "equal",
      "sessionType": "web",
      "shouldIgnoreCase": false,
      "streamType": "Web",
      "values": [
        "/bikes"
      ]
    }
  ],
  "version": 1,
  "weight": 2
};

// GET /api/v2/journey/sessions/{sessionId}/events (web action)
export const a35: Models.EventListing = {
  "entities": [
    {
      "createdDate": "2026-11-21T10:20:00.000Z",
      "customerId": "6a1c3a8e-0000-4000-8000-000000000077",
      "customerIdType": "cookie",
      "eventType": "com.genesys.journey.WebEvent",
      "id": "ff8fb616-1e49-5891-9a15-d9f083d6cd48",
      "session": {
        "id": "051eeba4-9e9d-5b63-a05b-de3fdecda64c",
        "selfUri": "/api/v2/journey/sessions/051eeba4-9e9d-5b63-a05b-de3fdecda64c",
        "type": "web"
      },
      "webEvent": {
        "attributes": {
          "page": {
            "dataType": "string",
            "value": "/bikes"
          }
        },
        "eventName": "page_viewed"
      }
    }
  ],
  "previousUri": null,
  "selfUri": "/api/v2/journey/sessions/051eeba4-9e9d-5b63-a05b-de3fdecda64c/events"
};
