// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/// @title CardRegistry — the on-chain home of hash cards (DESIGN §2, §3).
/// @notice A card is posted by its creator (the transaction is the signature). The card bytes
/// live only in calldata and in the `CardPosted` log; the contract stores one word per card
/// (its creator), which is what refuses duplicates and answers `creatorOf`.
/// Reactions and follows are events only: counting them is an indexer's job, and keeping
/// them out of storage keeps `react`/`follow` near the 21,000 gas floor.
contract CardRegistry {
    /// @notice Largest card accepted, in bytes (DESIGN §2: everything larger travels in the swarm).
    uint256 public constant MAX_CARD_BYTES = 4096;

    /// @notice Creator of each posted card; zero for unknown cards.
    mapping(bytes32 cardId => address creator) public creatorOf;

    /// @notice A card was posted; `cardId` = keccak256(card).
    event CardPosted(bytes32 indexed cardId, address indexed creator, bytes card);
    /// @notice `from` reacted to a card with an app-defined `kind` (like, boost, flag, ...).
    event Reacted(bytes32 indexed cardId, address indexed from, uint8 indexed kind);
    /// @notice `follower` follows `creator`.
    event Followed(address indexed follower, address indexed creator);
    /// @notice `follower` no longer follows `creator`.
    event Unfollowed(address indexed follower, address indexed creator);

    /// @notice The card is empty or longer than {MAX_CARD_BYTES}.
    error CardSize(uint256 size);
    /// @notice A card with these exact bytes was posted before.
    error DuplicateCard(bytes32 cardId);
    /// @notice No card with this id was posted.
    error UnknownCard(bytes32 cardId);
    /// @notice The zero address cannot be followed.
    error ZeroAddress();

    /// @notice Posts a card; returns its id.
    /// @param card The card bytes (1 to 4096 bytes).
    function post(bytes calldata card) external returns (bytes32 cardId) {
        if (card.length == 0 || card.length > MAX_CARD_BYTES) revert CardSize(card.length);
        cardId = keccak256(card);
        if (creatorOf[cardId] != address(0)) revert DuplicateCard(cardId);
        creatorOf[cardId] = msg.sender;
        emit CardPosted(cardId, msg.sender, card);
    }

    /// @notice Reacts to a posted card. Reacting twice emits twice: indexers decide what counts.
    function react(bytes32 cardId, uint8 kind) external {
        if (creatorOf[cardId] == address(0)) revert UnknownCard(cardId);
        emit Reacted(cardId, msg.sender, kind);
    }

    /// @notice Follows a creator (event only; the follow graph is built by indexers).
    function follow(address creator) external {
        if (creator == address(0)) revert ZeroAddress();
        emit Followed(msg.sender, creator);
    }

    /// @notice Stops following a creator (event only).
    function unfollow(address creator) external {
        if (creator == address(0)) revert ZeroAddress();
        emit Unfollowed(msg.sender, creator);
    }
}
